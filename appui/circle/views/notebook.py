"""The liaison notebook of a person, its attachments, and the user's notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from appui.core.enums import SensitivityCategory
from appui.core.mixins import paginate
from appui.core.permissions import can, scope
from appui.intake.forms_triage import add_errors

from .. import notebook as service
from .. import notifications as notices
from ..forms_notebook import NoteForm, NotificationPreferencesForm
from ..models import Notification

#: Notes shown per page of the notebook.
NOTES_PER_PAGE = 20


def _open_episode(membership, person):
    """The person's open episode, when the user may see it (for the episode's tabs)."""
    from appui.care.enums import EpisodeStatus
    from appui.care.models import CareEpisode

    episodes = CareEpisode.objects.filter(person_id=person.pk, status=EpisodeStatus.OPEN)
    return scope(membership, "care", "view", episodes).order_by("-pk").first()


def _mention_label(reader, categories) -> str:
    hidden = [label for value, label in categories if not reader.allows(value)]
    return f"{reader.label} — ne voit pas : {', '.join(hidden)}" if hidden else reader.label


@login_required
def notebook(request, person_pk):
    membership = request.membership
    person, access = service.person_for(membership, person_pk)
    can_write = can(membership, "liaison_note", "create", person)
    categories = [(c.value, c.label) for c in SensitivityCategory if access.allows(c)]
    audience = service.audience(person) if can_write else None

    form = None
    if can_write:
        mentionable = [
            (r.user.pk, _mention_label(r, categories))
            for r in audience.readers
            if r.user.pk != request.user.pk and any(r.allows(c) for c, _ in categories)
        ]
        form = NoteForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            categories=categories,
            mentionable=mentionable,
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                note = service.write_note(
                    person,
                    membership,
                    text=data["text"],
                    category=data["category"],
                    mentions=data.get("mentions") or (),
                    files=data["files"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Note ajoutée au cahier de liaison.")
                response = redirect("circle:notebook", person_pk=person.pk)
                response["Location"] += f"#note-{note.pk}"
                return response

    page = paginate(request, service.notes_for(person, membership), per_page=NOTES_PER_PAGE)
    notes = list(page["object_list"])
    service.mark_read(notes, request.user)
    for note in notes:
        for item in note.attachments.all():
            item.detail = service.attachment_detail(item)

    unseen = []
    if audience is not None and membership.is_dac_staff:
        for value, label in categories:
            unseen.append((label, audience.unseen(value, author_id=request.user.pk)))
    return render(
        request,
        "circle/notebook/notebook.html",
        {
            "person": person,
            "access": access,
            "episode": _open_episode(membership, person),
            "form": form,
            "notes": notes,
            "unseen": unseen,
            "without_account": audience.without_account if audience is not None else [],
            "show_audience": membership.is_dac_staff and audience is not None,
            **page,
        },
    )


@login_required
def attachment(request, pk):
    item = service.attachment_for(request.membership, pk)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Notifications -------------------------------------------------------------------------------


def _person_names(membership, person_ids) -> dict[int, str]:
    """The names of the persons the notifications are about, that the user may still see."""
    from appui.persons.models import Person

    person_ids = {pk for pk in person_ids if pk}
    if not person_ids or membership is None or not can(membership, "person", "view"):
        return {}
    persons = scope(membership, "person", "view", Person.objects.filter(pk__in=person_ids)).only(
        "pk", "sex", "birth_name", "used_name", "first_name", "used_first_name"
    )
    return {p.pk: p.display_name for p in persons}


@login_required
def notifications(request):
    queryset = Notification.objects.filter(user=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )
    page = paginate(request, queryset)
    items = list(page["object_list"])
    names = _person_names(request.membership, [n.person_id for n in items])
    for item in items:
        item.person_name = names.get(item.person_id, "")
    return render(
        request,
        "circle/notebook/notifications.html",
        {
            "items": items,
            "has_unread": any(n.read_at is None for n in items) or page["page_obj"].number > 1,
            **page,
        },
    )


@login_required
def notification_open(request, pk):
    notification = notices.open_notification(request.user, pk)
    url = notices.safe_url(notification.url) if notification is not None else None
    if url and notification.person_id and not _still_visible(request, notification.person_id):
        # The person left the user's reach since (left the circle, objection): say so rather
        # than lead to a refusal.
        messages.info(request, "Vous n'avez plus accès au dossier de cette personne.")
        url = None
    return redirect(url or reverse("circle:notifications"))


def _still_visible(request, person_id) -> bool:
    from appui.core.permissions import scope
    from appui.persons.models import Person

    return scope(request.membership, "person", "view", Person.objects.filter(pk=person_id)).exists()


@login_required
@require_POST
def notifications_read_all(request):
    count = notices.mark_all_read(request.user)
    if count == 1:
        messages.success(request, "1 notification marquée comme lue.")
    elif count:
        messages.success(request, f"{count} notifications marquées comme lues.")
    return redirect("circle:notifications")


@login_required
def notification_preferences(request):
    form = NotificationPreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"email_kinds": notices.email_kinds(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        notices.set_email_kinds(request.user, form.cleaned_data["email_kinds"])
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("circle:notification_preferences")
    return render(request, "circle/notebook/preferences.html", {"form": form})


urlpatterns = [
    path("personnes/<int:person_pk>/cahier-de-liaison/", notebook, name="notebook"),
    path("cahier-de-liaison/pieces-jointes/<int:pk>/", attachment, name="attachment"),
    path("notifications/", notifications, name="notifications"),
    path("notifications/<int:pk>/", notification_open, name="notification_open"),
    path("notifications/tout-lu/", notifications_read_all, name="notifications_read_all"),
    path("notifications/preferences/", notification_preferences, name="notification_preferences"),
]
