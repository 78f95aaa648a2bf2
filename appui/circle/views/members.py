"""The care circle page: members, objections, invitations; the DAC's sharing settings."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from appui.core.enums import SensitivityCategory
from appui.core.mixins import paginate
from appui.core.permissions import can, require, scope
from appui.persons.models import Person
from appui.territory.models import Organisation, Professional

from .. import policy, services
from ..enums import MemberKind, SharingProfile
from ..forms import (
    CarerMemberForm,
    EndMemberForm,
    InvitationAcceptForm,
    InviteForm,
    MemberForm,
    ObjectionForm,
    SearchForm,
    StaffMemberForm,
    WithdrawObjectionForm,
    add_errors,
)
from ..models import CareCircleMember, Objection

#: Matches shown per page of a directory search.
SEARCH_PAGE_SIZE = 20


def _person(request, person_pk, action="view") -> Person:
    """The person if the membership may `action` their circle: 403 when the role may never,
    404 when this person is out of reach (core.permissions decides, never the view)."""
    require(request.membership, "care_circle", action)
    return get_object_or_404(
        scope(request.membership, "care_circle", action, Person.objects.all()), pk=person_pk
    )


def _data(request):
    return request.POST if request.method == "POST" else None


def _back(person):
    return redirect("circle:circle", person_pk=person.pk)


def _form_page(request, person, form, *, title, submit, intro="", **extra):
    return render(
        request,
        "circle/members/form.html",
        {"person": person, "form": form, "title": title, "submit": submit, "intro": intro, **extra},
    )


# --- The circle ------------------------------------------------------------------------------


@login_required
def circle(request, person_pk):
    person = _person(request, person_pk)
    view = services.circle_view(person)
    membership = request.membership
    staff = membership.role in policy.CIRCLE_STAFF_ROLES
    return render(
        request,
        "circle/members/circle.html",
        {
            "person": person,
            "circle": view,
            "episode": view.episode,
            "current": "circle",
            "is_staff": staff,
            "can_change": can(membership, "care_circle", "change", person),
            "notices": services.objection_notices(person) if staff else [],
        },
    )


# --- Adding members --------------------------------------------------------------------------


def _add(request, person, form, **targets):
    data = {k: v for k, v in form.cleaned_data.items() if k not in targets}
    try:
        member = services.add_member(person, actor=request.membership, **targets, **data)
    except ValidationError as error:
        add_errors(form, error)
        return None
    messages.success(request, f"{member.display_name} ajouté·e au cercle de soins.")
    return _back(person)


@login_required
def member_add_staff(request, person_pk):
    person = _person(request, person_pk, "change")
    form = StaffMemberForm(_data(request), team=services.staff_choices(person))
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data.pop("user")
        response = _add(request, person, form, kind=MemberKind.STAFF, user=user)
        if response:
            return response
    return _form_page(
        request,
        person,
        form,
        title="Ajouter un membre de l'équipe du DAC",
        intro="La référente et la gestionnaire de cas de l'accompagnement en cours en font déjà "
        "partie ; ajoutez ici un autre membre de l'équipe, nommément.",
        submit="Ajouter au cercle",
    )


@login_required
def member_add_carer(request, person_pk):
    person = _person(request, person_pk, "change")
    form = CarerMemberForm(_data(request), carers=services.carer_choices(person))
    if request.method == "POST" and form.is_valid():
        carer = form.cleaned_data.pop("carer")
        response = _add(request, person, form, kind=MemberKind.CARER, carer=carer)
        if response:
            return response
    return _form_page(
        request,
        person,
        form,
        title="Ajouter un proche",
        intro="Un proche de la personne, enregistré sur sa fiche. Il n'a pas de compte dans "
        "Appui : il figure dans le cercle pour que chacun sache qui intervient.",
        submit="Ajouter au cercle",
    )


def _search(request, person, kind):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = {}
    if query:
        if kind == MemberKind.PROFESSIONAL:
            found = Professional.objects.filter(
                Q(last_name__icontains=query)
                | Q(first_name__icontains=query)
                | Q(rpps__startswith=query.replace(" ", ""))
            ).order_by("last_name", "first_name", "pk")
        else:
            code = query.replace(" ", "")
            found = Organisation.objects.filter(
                Q(name__icontains=query) | Q(finess_et=code) | Q(siret=code)
            ).select_related("commune")
            found = found.exclude(pk=person.dac_id).order_by("name", "pk")
        results = paginate(request, found, per_page=SEARCH_PAGE_SIZE)
    professional = kind == MemberKind.PROFESSIONAL
    return render(
        request,
        "circle/members/search.html",
        {
            "person": person,
            "form": form,
            "query": query,
            "kind": kind,
            "title": "Ajouter un professionnel du répertoire"
            if professional
            else "Ajouter une structure partenaire",
            **results,
        },
    )


@login_required
def member_search_professional(request, person_pk):
    return _search(request, _person(request, person_pk, "change"), MemberKind.PROFESSIONAL)


@login_required
def member_search_organisation(request, person_pk):
    return _search(request, _person(request, person_pk, "change"), MemberKind.ORGANISATION)


@login_required
def member_add_professional(request, person_pk, professional_pk):
    person = _person(request, person_pk, "change")
    professional = get_object_or_404(Professional, pk=professional_pk)
    place = professional.practice_places.first()
    form = MemberForm(_data(request), initial={"role_label": place.role_label if place else ""})
    if request.method == "POST" and form.is_valid():
        response = _add(
            request, person, form, kind=MemberKind.PROFESSIONAL, professional=professional
        )
        if response:
            return response
    return _form_page(
        request,
        person,
        form,
        title=f"Ajouter {professional.display_name}",
        intro=f"{professional.get_profession_display()}"
        + (f" — RPPS {professional.rpps}" if professional.rpps else ""),
        submit="Ajouter au cercle",
    )


@login_required
def member_add_organisation(request, person_pk, organisation_pk):
    person = _person(request, person_pk, "change")
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    form = MemberForm(_data(request))
    if request.method == "POST" and form.is_valid():
        response = _add(
            request, person, form, kind=MemberKind.ORGANISATION, organisation=organisation
        )
        if response:
            return response
    return _form_page(
        request,
        person,
        form,
        title=f"Ajouter {organisation.name}",
        intro="Les comptes partenaires de cette structure rejoignent le cercle de soins.",
        submit="Ajouter au cercle",
    )


def _member(request, pk, action="change"):
    member = get_object_or_404(
        CareCircleMember.objects.select_related(
            "circle", "professional", "organisation", "user", "carer"
        ),
        pk=pk,
    )
    person = _person(request, member.circle.person_id, action)
    return member, person


@login_required
def member_end(request, pk):
    member, person = _member(request, pk)
    form = EndMemberForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.end_member(
                member,
                form.cleaned_data["end_date"],
                form.cleaned_data["reason"],
                actor=request.membership,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{member.display_name} a quitté le cercle de soins.")
            return _back(person)
    return _form_page(
        request,
        person,
        form,
        title=f"Sortie du cercle : {member.display_name}",
        intro="Le membre reste dans l'historique du cercle, avec la date et le motif de sa "
        "sortie. Il ne voit plus les données de la personne.",
        submit="Enregistrer la sortie",
    )


# --- Objections ------------------------------------------------------------------------------


@login_required
def objection_create(request, person_pk):
    from appui.care.services import legal_representatives

    person = _person(request, person_pk, "change")
    if request.GET.get("medecin"):
        if person.gp_id is None:
            raise Http404
        target = Professional.all_objects.get(pk=person.gp_id)
        target_label = f"{target.display_name} (médecin traitant)"
    else:
        target = get_object_or_404(
            CareCircleMember.objects.select_related("professional", "organisation", "user"),
            pk=request.GET.get("membre") or 0,
            circle__person=person,
        )
        target_label = target.display_name
    form = ObjectionForm(_data(request), representatives=legal_representatives(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_objection(
                person, target=target, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Opposition enregistrée : elle s'applique dès maintenant à {target_label}.",
            )
            return _back(person)
    return _form_page(
        request,
        person,
        form,
        title=f"Opposition au partage avec {target_label}",
        intro="La personne peut s'opposer à ce qu'un membre de son cercle accède à ses données, "
        "ou limiter ce qu'il voit. L'opposition s'applique dès son enregistrement.",
        submit="Enregistrer l'opposition",
    )


@login_required
def objection_withdraw(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("person"), pk=pk)
    person = _person(request, objection.person_id, "change")
    form = WithdrawObjectionForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_objection(
                objection,
                form.cleaned_data["withdrawn_on"],
                form.cleaned_data["note"],
                actor=request.membership,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Opposition levée.")
            return _back(person)
    return _form_page(
        request,
        person,
        form,
        title="Lever une opposition",
        intro=services.objection_notice(person, objection),
        submit="Lever l'opposition",
    )


# --- Invitations -----------------------------------------------------------------------------


@login_required
def member_invite(request, pk):
    member, person = _member(request, pk)
    if member.kind != MemberKind.PROFESSIONAL or member.professional.user_id:
        messages.error(request, "Ce membre ne peut pas être invité (il a déjà un compte).")
        return _back(person)
    places = [
        p.organisation
        for p in member.professional.practice_places.filter(organisation__isnull=False)
        .select_related("organisation")
        .order_by("-is_primary", "pk")
    ]
    default = services.practice_organisation(member.professional)
    form = InviteForm(
        _data(request),
        places=places,
        initial={
            "email": member.professional.email,
            "organisation": str(default.pk) if default else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invite(
                member,
                form.cleaned_data["email"],
                form.cleaned_data["organisation"],
                actor=request.membership,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Invitation envoyée à {form.cleaned_data['email']} : le lien est valable "
                "14 jours, une seule fois.",
            )
            return _back(person)
    return _form_page(
        request,
        person,
        form,
        title=f"Inviter {member.display_name} à rejoindre Appui",
        intro="Le professionnel reçoit un lien pour créer son compte, rattaché à sa fiche du "
        "répertoire et à sa structure. Le courriel ne dit rien de la personne : seulement le nom "
        "du DAC.",
        submit="Envoyer l'invitation",
    )


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def invitation_accept(request, token):
    invitation, reason = services.invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "circle/members/invitation_invalid.html",
            {"reason": reason},
            status=410 if "expiré" in reason else 404,
        )
    professional = invitation.professional
    form = InvitationAcceptForm(
        _data(request),
        email=invitation.email,
        initial={"first_name": professional.first_name, "last_name": professional.last_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            login(request, user, backend="appui.accounts.backends.RoleBackend")
            messages.success(request, "Votre compte Appui est créé. Bienvenue.")
            return redirect("core:home")
    return render(
        request,
        "circle/members/invitation_accept.html",
        {"form": form, "invitation": invitation, "professional": professional},
    )


# --- Sharing settings ------------------------------------------------------------------------


@login_required
def sharing_settings(request):
    membership = request.membership
    require(membership, "sharing_settings", "change")
    dac = get_object_or_404(
        scope(membership, "sharing_settings", "change", Organisation.objects.all()),
        pk=membership.organisation_id,
    )
    categories = list(SensitivityCategory)
    if request.method == "POST":
        grid = {
            profile: {c for c in categories if request.POST.get(f"{profile}.{c}")}
            for profile in policy.DEFAULTS
        }
        changes = services.save_sharing_settings(dac, grid, actor=membership)
        if changes:
            messages.success(
                request,
                f"Règles de partage enregistrées ({len(changes)} changement"
                f"{'s' if len(changes) > 1 else ''}). Elles s'appliquent dès maintenant.",
            )
        else:
            messages.info(request, "Aucun changement.")
        return redirect("circle:sharing_settings")
    grid = services.sharing_grid(dac)
    labels = dict(SharingProfile.choices)
    rows = [
        {
            "profile": profile,
            "label": labels.get(profile, profile),
            "staff": profile in policy.CIRCLE_STAFF_ROLES,
            "cells": [
                {
                    "name": f"{profile}.{c}",
                    "category": c,
                    "checked": c in grid[profile],
                    "changed": (c in grid[profile]) != (c in defaults),
                }
                for c in categories
            ],
        }
        for profile, defaults in policy.DEFAULTS.items()
    ]
    return render(
        request,
        "circle/members/sharing_settings.html",
        {"dac": dac, "rows": rows, "categories": categories},
    )


urlpatterns = [
    path("personnes/<int:person_pk>/cercle/", circle, name="circle"),
    path("personnes/<int:person_pk>/cercle/equipe/", member_add_staff, name="member_add_staff"),
    path("personnes/<int:person_pk>/cercle/proches/", member_add_carer, name="member_add_carer"),
    path(
        "personnes/<int:person_pk>/cercle/professionnels/",
        member_search_professional,
        name="member_search_professional",
    ),
    path(
        "personnes/<int:person_pk>/cercle/professionnels/<int:professional_pk>/",
        member_add_professional,
        name="member_add_professional",
    ),
    path(
        "personnes/<int:person_pk>/cercle/structures/",
        member_search_organisation,
        name="member_search_organisation",
    ),
    path(
        "personnes/<int:person_pk>/cercle/structures/<int:organisation_pk>/",
        member_add_organisation,
        name="member_add_organisation",
    ),
    path("cercle/membres/<int:pk>/sortie/", member_end, name="member_end"),
    path("cercle/membres/<int:pk>/invitation/", member_invite, name="member_invite"),
    path(
        "personnes/<int:person_pk>/cercle/oppositions/nouvelle/",
        objection_create,
        name="objection_create",
    ),
    path("cercle/oppositions/<int:pk>/levee/", objection_withdraw, name="objection_withdraw"),
    path("invitation/<str:token>/", invitation_accept, name="invitation_accept"),
    path("administration/regles-de-partage/", sharing_settings, name="sharing_settings"),
]
