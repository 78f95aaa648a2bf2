"""The liaison notebook (cahier de liaison): notes written by the members of a person's care circle,
each with a category of the person's data, read only by the members whose rights cover it.

- `audience(person)`: who, among the circle members with an account, reads which categories (the
  answer of `core.sharing.access` for each one's relevant membership). `readers(person, category)`
  is the list of users a note of that category reaches.
- `write_note(...)`: one note, its mentions and attachments, checked before anything is saved,
  written in one transaction with its event; the readers are notified (no health detail leaves in
  the notice or the e-mail, only a link to the page, which applies the reader's rights).
- `notes_for(person, membership)`: the notes the user may read, newest first, with their read
  status; `mark_read` records that the user saw them.
- `check_attachments(files)`: PDF, PNG, JPEG or WebP only, recognised by their content (never by
  their name or the browser's word), within the size limit.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from appui.accounts.models import Membership
from appui.care.enums import EpisodeStatus
from appui.care.models import CareEpisode
from appui.core import sharing
from appui.core.enums import CircleRelationship, Role, SensitivityCategory
from appui.core.models import VERB_LABELS, record_event
from appui.core.permissions import require, scope
from appui.persons.models import Person
from appui.territory.models import Professional

from .enums import NotificationKind
from .models import Attachment, CareCircleMember, LiaisonNote, LiaisonNoteRead
from .notifications import notify
from .policy import CIRCLE_STAFF_ROLES

#: A note carries at most this many files.
MAX_FILES = 5

#: The file types a note accepts, as recognised from the content: stored type → (extension, label).
ALLOWED_TYPES = {
    "application/pdf": ("pdf", "PDF"),
    "image/png": ("png", "image PNG"),
    "image/jpeg": ("jpg", "image JPEG"),
    "image/webp": ("webp", "image WebP"),
}
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}

#: How many bytes of the start of a file are read to recognise its type.
SNIFF_BYTES = 8192

VERBS = {
    "liaison_note_written": "Note au cahier de liaison",
    "notification_preferences_changed": "Préférences de notification",
}


def register() -> None:
    VERB_LABELS.update(VERBS)


MENTION_TITLE = "Vous êtes mentionné·e dans une note du cahier de liaison"
NOTE_TITLE = "Nouvelle note dans le cahier de liaison d'une personne que vous accompagnez"


# --- Who reads what ------------------------------------------------------------------------------


@dataclass
class Reader:
    """A circle member with an account, and the categories of the person's data they may read."""

    user: object
    label: str
    categories: frozenset = frozenset()
    #: The person's objection limits or excludes this member.
    objection: bool = False

    def allows(self, category: str) -> bool:
        return category in self.categories


@dataclass
class Audience:
    readers: list[Reader] = field(default_factory=list)
    #: Circle members who have no account (they never see the notebook): their labels.
    without_account: list[str] = field(default_factory=list)

    def readers_of(self, category: str) -> list[Reader]:
        return [r for r in self.readers if r.allows(category)]

    def unseen(self, category: str, author_id: int | None = None) -> list[Reader]:
        """The members with an account who would not see a note of this category."""
        return [r for r in self.readers if not r.allows(category) and r.user.pk != author_id]

    def reader(self, user_id: int) -> Reader | None:
        return next((r for r in self.readers if r.user.pk == user_id), None)


def _member_label(member: CareCircleMember) -> str:
    return (
        f"{member.display_name} ({member.role_label})"
        if member.role_label
        else (member.display_name)
    )


def audience(person) -> Audience:
    """Everyone in the person's care circle who could read the notebook, with their categories.

    Candidates: the médecin traitant's account; the open episode's référent·e and case manager;
    the accounts of the active members (the user named, their professional record's account, the
    partner accounts of a member structure). Each one's categories are those of
    `core.sharing.access` for their active memberships that can reach the person (a staff role in
    the person's DAC, a partner role), united. A handful of queries, plus those of `access` per
    candidate membership: bounded by the size of the circle, never by the number of notes.
    """
    labels: dict[int, str] = {}
    without_account: list[str] = []

    if person.gp_id:
        gp = Professional._base_manager.filter(pk=person.gp_id).first()
        if gp is not None:
            if gp.user_id:
                labels.setdefault(gp.user_id, f"{gp.display_name} (médecin traitant)")
            else:
                without_account.append(f"{gp.display_name} (médecin traitant)")

    episode_staff = (
        CareEpisode.objects.filter(
            person_id=person.pk, status=EpisodeStatus.OPEN, archived_at__isnull=True
        )
        .values_list("referent_id", "case_manager_id")
        .first()
    )
    staff_roles = {}
    if episode_staff:
        referent_id, case_manager_id = episode_staff
        if referent_id:
            staff_roles[referent_id] = "référent·e du DAC"
        if case_manager_id:
            staff_roles.setdefault(case_manager_id, "gestionnaire de cas")

    today = timezone.localdate()
    members = (
        CareCircleMember.objects.filter(circle__person_id=person.pk)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .select_related("user", "professional", "organisation", "carer")
        .order_by("kind", "id")
    )
    organisations: dict[int, str] = {}
    for member in members:
        label = _member_label(member)
        user_id = member.user_id or (member.professional.user_id if member.professional else None)
        if user_id:
            labels.setdefault(user_id, label)
        elif member.organisation_id:
            organisations[member.organisation_id] = label
        else:
            without_account.append(label)

    memberships = list(
        Membership.objects.filter(is_active=True)
        .filter(
            Q(user_id__in=[*labels, *staff_roles])
            | Q(organisation_id__in=list(organisations), role=Role.PARTNER)
        )
        .select_related("user")
        .order_by("user_id", "pk")
    )
    readers: dict[int, Reader] = {}
    for membership in memberships:
        user = membership.user
        if not user.is_active:
            continue
        if membership.role in CIRCLE_STAFF_ROLES:
            if membership.organisation_id != person.dac_id:
                continue
        elif membership.role != Role.PARTNER:
            continue
        if user.pk in labels:
            label = labels[user.pk]
        elif user.pk in staff_roles:
            label = f"{user} ({staff_roles[user.pk]})"
        elif membership.organisation_id in organisations:
            label = f"{user} — {organisations[membership.organisation_id]}"
        else:
            continue  # a partner account of another structure than the member's
        access = sharing.access(membership, person)
        reader = readers.setdefault(user.pk, Reader(user=user, label=label))
        reader.categories = reader.categories | access.categories
        if access.relationship in (CircleRelationship.RESTRICTED, CircleRelationship.EXCLUDED):
            reader.objection = True

    # Named members whose account has no membership reaching the person read nothing.
    for user_id, label in labels.items():
        if user_id not in readers:
            without_account.append(label)
    return Audience(
        readers=sorted(readers.values(), key=lambda r: r.label.lower()),
        without_account=without_account,
    )


def readers(person, category: str) -> list:
    """The users a note of `category` about `person` reaches (author included, if a reader)."""
    return [r.user for r in audience(person).readers_of(category)]


# --- Attachments ---------------------------------------------------------------------------------


@dataclass
class CheckedFile:
    upload: object
    name: str
    content_type: str
    extension: str
    size: int
    sha256: str


def file_size_label(size: int) -> str:
    """A size in French units: « 10 Mo », « 2,5 Mo », « 300 ko », « 54 octets »."""
    if size < 1024:
        return f"{size} octet{'s' if size > 1 else ''}"
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        unit = "Mo"
    else:
        value = size / 1024
        unit = "ko"
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} {unit}"


def attachment_detail(attachment) -> str:
    """« PDF – 120 ko »: what a download link says of its file."""
    label = ALLOWED_TYPES.get(attachment.content_type, ("", "fichier"))[1]
    return f"{label} – {file_size_label(attachment.size)}"


def _clean_name(name: str) -> str:
    """The file's own name, without any folder or control character (shown, never used as a path)."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return (name or "fichier")[:255]


def _refused_type(name: str) -> ValidationError:
    return ValidationError(
        f"« {name} » n'est pas accepté : seuls les fichiers PDF et les images PNG, JPEG ou WebP "
        "peuvent être joints (le contenu du fichier est vérifié, pas seulement son nom).",
        code="file_type",
    )


def check_attachment(upload) -> CheckedFile:
    """One uploaded file, recognised by its content; a French refusal naming the file if not."""
    name = _clean_name(getattr(upload, "name", ""))
    limit = settings.APPUI_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"« {name} » est trop volumineux ({file_size_label(upload.size)}) : la taille "
            f"maximale d'un fichier est de {file_size_label(limit)}.",
            code="file_size",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    kind = filetype.guess(head) if head else None
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise _refused_type(name)
    if kind.mime in IMAGE_FORMATS:
        from PIL import Image

        upload.seek(0)
        try:
            with Image.open(upload) as image:
                image_format = image.format
                image.verify()
        except Exception:  # any decoding failure: not a usable image
            raise ValidationError(
                f"« {name} » n'est pas une image lisible (fichier endommagé ou déguisé).",
                code="file_damaged",
            ) from None
        if image_format != IMAGE_FORMATS[kind.mime]:
            raise _refused_type(name)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        name=name,
        content_type=kind.mime,
        extension=ALLOWED_TYPES[kind.mime][0],
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def check_attachments(files) -> list[CheckedFile]:
    """All the files of a note, each checked; every refusal at once (nothing is saved before)."""
    files = [f for f in files or () if f]
    if len(files) > MAX_FILES:
        raise ValidationError(
            f"Une note porte au plus {MAX_FILES} fichiers (vous en avez joint {len(files)}).",
            code="file_count",
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(check_attachment(upload))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return checked


def _store(note: LiaisonNote, checked: list[CheckedFile], stored: list[str]) -> list[Attachment]:
    attachments = []
    for item in checked:
        attachment = Attachment(
            note=note,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
        )
        item.upload.seek(0)
        # A random name: the original one is kept for display and download only.
        attachment.file.save(
            f"{secrets.token_urlsafe(24)}.{item.extension}", item.upload, save=False
        )
        stored.append(attachment.file.name)
        attachment.save()
        attachments.append(attachment)
    return attachments


# --- Writing -------------------------------------------------------------------------------------


def author_label(membership) -> str:
    """How a note names its author: name, profession or role, structure."""
    user = membership.user
    name = user.get_full_name() or user.email
    if membership.role == Role.PARTNER:
        professional = Professional._base_manager.filter(user_id=user.pk).only("profession").first()
        what = professional.get_profession_display() if professional else "Partenaire"
    else:
        what = membership.get_role_display()
    return f"{name} — {what}, {membership.organisation.name}"[:255]


def _category_label(category: str) -> str:
    return dict(SensitivityCategory.choices).get(category, category)


def write_note(person, membership, *, text, category, mentions=(), files=()) -> LiaisonNote:
    """Write a note in the person's liaison notebook and notify its readers.

    Refused (a French ValidationError per field, nothing saved) when the user does not read the
    category, mentions someone who could not read the note, or joins a file that is not accepted.
    """
    require(membership, "liaison_note", "create", person)
    access = sharing.access(membership, person)
    errors: dict[str, list] = {}
    if category not in SensitivityCategory.values:
        errors["category"] = ["Choisissez la catégorie de la note."]
    elif not access.allows(category):
        errors["category"] = [
            f"Vous ne voyez pas la catégorie « {_category_label(category)} » des données de "
            "cette personne : vous ne pouvez pas y écrire."
        ]
    text = (text or "").strip()
    if not text:
        errors["text"] = ["Écrivez le contenu de la note."]
    try:
        checked = check_attachments(files)
    except ValidationError as error:
        errors["files"] = error.messages
        checked = []

    the_audience = audience(person)
    mention_ids = {int(getattr(m, "pk", m)) for m in mentions}
    reached = (
        {} if "category" in errors else {r.user.pk: r for r in the_audience.readers_of(category)}
    )
    refused = mention_ids - reached.keys()
    if refused and "category" not in errors:
        known = {r.user.pk: r.label for r in the_audience.readers}
        names = ", ".join(sorted(known.get(pk, "un compte hors du cercle") for pk in refused))
        several = len(refused) > 1
        errors["mentions"] = [
            f"{'Ces personnes ne pourraient' if several else 'Cette personne ne pourrait'} pas "
            f"lire une note « {_category_label(category)} » : {names}. Retirez "
            f"{'leur' if several else 'sa'} mention ou choisissez une autre catégorie."
        ]
    if errors:
        raise ValidationError(errors)

    stored: list[str] = []
    try:
        with transaction.atomic():
            note = LiaisonNote.objects.create(
                person=person,
                author=membership.user,
                author_label=author_label(membership),
                category=category,
                text=text,
            )
            if mention_ids:
                note.mentions.set(mention_ids)
            # The author has read their own note.
            LiaisonNoteRead.objects.create(note=note, user=membership.user)
            _store(note, checked, stored)
            record_event(
                note,
                "liaison_note_written",
                person_id=person.pk,
                category=category,
                attachments=len(checked),
                mentions=sorted(mention_ids),
            )
            url = reverse("circle:notebook", args=[person.pk]) + f"#note-{note.pk}"
            author_id = membership.user_id
            notify(
                [reached[pk].user for pk in sorted(mention_ids) if pk != author_id],
                NotificationKind.MENTION,
                MENTION_TITLE,
                url,
                person.pk,
            )
            notify(
                [r.user for pk, r in reached.items() if pk != author_id and pk not in mention_ids],
                NotificationKind.LIAISON_NOTE,
                NOTE_TITLE,
                url,
                person.pk,
            )
    except Exception:
        # Nothing half-saved: a file written before the failure goes too.
        for name in stored:
            Attachment._meta.get_field("file").storage.delete(name)
        raise
    return note


# --- Reading -------------------------------------------------------------------------------------


def notes_for(person, membership):
    """The notes of the categories the user may read, newest first, each with `is_read`."""
    access = sharing.access(membership, person)
    return (
        LiaisonNote.objects.filter(person_id=person.pk, category__in=list(access.categories))
        .annotate(
            is_read=Exists(
                LiaisonNoteRead.objects.filter(note=OuterRef("pk"), user_id=membership.user_id)
            )
        )
        # The author's account is read with the note: the page shows who wrote it.
        .select_related("author")
        .prefetch_related("attachments", "mentions")
        .order_by("-created_at", "-pk")
    )


def mark_read(notes, user) -> int:
    """Record that the user saw these notes (those not already read); one insert."""
    unread = [n for n in notes if not getattr(n, "is_read", False)]
    LiaisonNoteRead.objects.bulk_create(
        [LiaisonNoteRead(note=n, user=user) for n in unread], ignore_conflicts=True
    )
    return len(unread)


def can_read_note(membership, note) -> bool:
    return sharing.access(membership, note.person).allows(note.category)


# --- Reaching a person's notebook ----------------------------------------------------------------


def person_for(membership, person_pk, action: str = "list"):
    """The person and the user's access to them, for the notebook's pages: 403 when the role may
    never or the person excluded the user by an objection, 404 when the person is out of reach
    (never a hint that they exist). Nothing of the person is read before the answer is known."""

    require(membership, "liaison_note", action)
    if not scope(membership, "liaison_note", action, Person.objects.filter(pk=person_pk)).exists():
        excluded = sharing.excluded_persons(membership)
        if excluded is not None and Person.objects.filter(pk=person_pk, pk__in=excluded).exists():
            raise PermissionDenied
        raise Http404
    person = Person.objects.get(pk=person_pk)
    access = sharing.access(membership, person)
    if access.relationship == CircleRelationship.EXCLUDED:
        raise PermissionDenied
    if not access.visible:
        raise Http404
    return person, access


def attachment_for(membership, pk) -> Attachment:
    """An attachment the user may download: that of a note whose category they read (403 if
    not, 404 when the person is out of reach)."""

    row = Attachment.objects.filter(pk=pk).values_list("note__person_id", "note__category").first()
    if row is None:
        raise Http404
    person_id, category = row
    _person, access = person_for(membership, person_id)
    if not access.allows(category):
        raise PermissionDenied
    return Attachment.objects.get(pk=pk)
