"""The care circle of a person, the person's objections, emergency access, sharing defaults, the
liaison notebook with its attachments, notifications and invitations."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone

from appui.care.enums import ConsentGivenBy
from appui.core.enums import SensitivityCategory
from appui.core.models import PersonalDataModel, TimeStampedModel

from .enums import (
    ExpressedHow,
    JoinedHow,
    MemberKind,
    NotificationKind,
    ObjectionScope,
    SharingProfile,
)


class CareCircle(PersonalDataModel, TimeStampedModel):
    """The équipe de prise en charge of one person (one circle per person, across episodes)."""

    person = models.OneToOneField(
        "persons.Person", on_delete=models.PROTECT, related_name="care_circle"
    )

    class Meta:
        verbose_name = "cercle de soins"
        verbose_name_plural = "cercles de soins"

    def __str__(self):
        return f"Cercle de soins de {self.person}"

    def audit_person_id(self):
        return self.person_id


class CareCircleMember(PersonalDataModel, TimeStampedModel):
    """One member of a circle: a DAC staff member, an external professional, a partner structure
    or a carer, with their role in the situation. Leaving sets `end_date`; never deleted."""

    circle = models.ForeignKey(CareCircle, on_delete=models.PROTECT, related_name="members")
    kind = models.CharField("type de membre", max_length=20, choices=MemberKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="circle_memberships",
    )
    professional = models.ForeignKey(
        "territory.Professional",
        verbose_name="professionnel·le",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="circle_memberships",
    )
    organisation = models.ForeignKey(
        "territory.Organisation",
        verbose_name="structure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="circle_memberships",
    )
    carer = models.ForeignKey(
        "persons.Carer",
        verbose_name="proche",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="circle_memberships",
    )
    role_label = models.CharField("rôle dans la situation", max_length=200, blank=True)
    start_date = models.DateField("dans le cercle depuis le", default=timezone.localdate)
    end_date = models.DateField("sorti·e du cercle le", null=True, blank=True)
    end_reason = models.CharField("motif de sortie", max_length=255, blank=True)
    joined_how = models.CharField(
        "arrivé·e comment", max_length=20, choices=JoinedHow.choices, default=JoinedHow.ADDED
    )

    audit_person_lookup = "circle__person"

    class Meta:
        verbose_name = "membre du cercle de soins"
        verbose_name_plural = "membres du cercle de soins"
        ordering = ["circle", "end_date", "kind", "id"]
        indexes = [
            models.Index(fields=["user", "end_date"], name="circlemember_user"),
            models.Index(fields=["professional", "end_date"], name="circlemember_professional"),
            models.Index(fields=["organisation", "end_date"], name="circlemember_organisation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False)
                | models.Q(professional__isnull=False)
                | models.Q(organisation__isnull=False)
                | models.Q(carer__isnull=False),
                name="circlemember_has_target",
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        target = self.professional or self.user or self.organisation or self.carer
        return str(target) if target else "Membre"

    @property
    def is_active(self) -> bool:
        return self.end_date is None or self.end_date > timezone.localdate()

    def audit_person_id(self):
        return self.circle.person_id


class Objection(PersonalDataModel, TimeStampedModel):
    """The person's objection (opposition) to sharing with one member: excluded, or limited to
    some categories (and possibly to the PPCS actions the member carries). Effective from the
    moment it is recorded; withdrawn, never deleted."""

    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="objections"
    )
    member = models.ForeignKey(
        CareCircleMember,
        verbose_name="membre concerné",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    # Whom it applies to (copied from the member, or the médecin traitant): any of these matches.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    professional = models.ForeignKey(
        "territory.Professional",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    organisation = models.ForeignKey(
        "territory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField("portée", max_length=20, choices=ObjectionScope.choices)
    categories = models.JSONField(
        "catégories encore partagées", default=list, blank=True, help_text="si limitée"
    )
    own_actions_only = models.BooleanField(
        "seulement les actions du PPCS dont ce membre est responsable", default=False
    )
    expressed_on = models.DateField("exprimée le")
    expressed_how = models.CharField(
        "exprimée comment", max_length=20, choices=ExpressedHow.choices
    )
    expressed_by = models.CharField(
        "exprimée par", max_length=30, choices=ConsentGivenBy.choices, default=ConsentGivenBy.PERSON
    )
    legal_representative = models.ForeignKey(
        "persons.Carer",
        verbose_name="représentant légal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("précisions", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_on = models.DateField("levée le", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_note = models.TextField("précisions sur la levée", blank=True)

    class Meta:
        verbose_name = "opposition au partage"
        verbose_name_plural = "oppositions au partage"
        ordering = ["-expressed_on", "-id"]
        indexes = [
            models.Index(fields=["person", "withdrawn_on"], name="objection_person"),
            models.Index(fields=["user", "withdrawn_on"], name="objection_user"),
            models.Index(fields=["professional", "withdrawn_on"], name="objection_professional"),
            models.Index(fields=["organisation", "withdrawn_on"], name="objection_organisation"),
        ]

    def audit_person_id(self):
        return self.person_id

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None

    @property
    def category_labels(self) -> list[str]:
        labels = dict(SensitivityCategory.choices)
        return [labels.get(c, c) for c in self.categories]


class EmergencyAccess(PersonalDataModel, TimeStampedModel):
    """Bris de glace: a DAC staff member outside the circle opened the record in an emergency,
    with a justification. Flagged in the access log, notified to the direction, reviewed."""

    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    organisation = models.ForeignKey(
        "territory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("rôle", max_length=40)
    justification = models.TextField("justification")
    opened_at = models.DateTimeField("ouvert le", default=timezone.now)
    expires_at = models.DateTimeField("valable jusqu'au")
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField("commentaire de la direction", blank=True)

    class Meta:
        verbose_name = "accès en urgence (bris de glace)"
        verbose_name_plural = "accès en urgence (bris de glace)"
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["user", "person", "expires_at"], name="emergency_user_person"),
            models.Index(
                fields=["organisation", "reviewed_at", "-opened_at"], name="emergency_review"
            ),
        ]

    def audit_person_id(self):
        return self.person_id

    @property
    def is_open(self) -> bool:
        return self.expires_at > timezone.now()


class SharingDefault(TimeStampedModel):
    """A DAC's adjustment of one profile's default right on one category (docs/permissions.md
    gives the defaults; a row here overrides one cell for that DAC)."""

    dac = models.ForeignKey(
        "territory.Organisation", on_delete=models.PROTECT, related_name="sharing_defaults"
    )
    profile = models.CharField("profil", max_length=40, choices=SharingProfile.choices)
    category = models.CharField("catégorie", max_length=20, choices=SensitivityCategory.choices)
    allowed = models.BooleanField("autorisé")

    class Meta:
        verbose_name = "règle de partage du DAC"
        verbose_name_plural = "règles de partage du DAC"
        constraints = [
            models.UniqueConstraint(
                fields=["dac", "profile", "category"], name="unique_sharing_default"
            )
        ]


class PrivateStorage(FileSystemStorage):
    """Attachments live outside the web root; only the authorised view serves them. The folder
    is read from settings.PRIVATE_MEDIA_ROOT each time a file is stored or opened."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    """A callable, so migrations name it instead of a folder of the machine."""
    return PrivateStorage()


class LiaisonNote(PersonalDataModel, TimeStampedModel):
    """An entry of the person's liaison notebook (cahier de liaison), written by a circle member;
    visible to the members whose rights cover its category."""

    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="liaison_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaison_notes"
    )
    author_label = models.CharField("auteur·rice", max_length=255)
    category = models.CharField("catégorie", max_length=20, choices=SensitivityCategory.choices)
    text = models.TextField("note")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="mentions", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "note du cahier de liaison"
        verbose_name_plural = "cahier de liaison"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "category", "-created_at"], name="liaison_person"),
        ]

    def audit_person_id(self):
        return self.person_id


class LiaisonNoteRead(models.Model):
    note = models.ForeignKey(LiaisonNote, on_delete=models.PROTECT, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField("lue le", default=timezone.now)

    class Meta:
        verbose_name = "lecture d'une note"
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="unique_liaison_read")]

    def __str__(self):
        return f"{self.user} a lu la note {self.note_id}"


class Attachment(PersonalDataModel, TimeStampedModel):
    """A file attached to a liaison note: PDF or image, type checked on its content, stored
    outside the web root, served only through the authorised view."""

    note = models.ForeignKey(LiaisonNote, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField("fichier", storage=private_storage, upload_to="liaison/%Y/%m/")
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)

    audit_person_lookup = "note__person"

    class Meta:
        verbose_name = "pièce jointe"
        ordering = ["note", "id"]

    def audit_person_id(self):
        return self.note.person_id


class Notification(models.Model):
    """A notice in the app (and by e-mail if the user wants it). Never any health detail in
    `title`: only who/what happened and a link to the page, which applies the rights."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField("type", max_length=30, choices=NotificationKind.choices)
    title = models.CharField("intitulé", max_length=255)
    url = models.CharField("lien", max_length=500)
    person_id = models.BigIntegerField("personne concernée", null=True, blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyée par courriel le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_user")
        ]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """Which notifications a user also receives by e-mail (all of them unless they say so)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notification_preference"
    )
    email_kinds = models.JSONField("reçues par courriel", default=list, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "préférences de notification"

    def __str__(self):
        return f"Préférences de {self.user}"


class Invitation(TimeStampedModel):
    """An invitation by e-mail for an external professional without an account: a one-time link
    (only its hash is stored) to create an account tied to their RPPS record and structure."""

    email = models.EmailField("adresse électronique")
    professional = models.ForeignKey(
        "territory.Professional",
        verbose_name="professionnel·le",
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    organisation = models.ForeignKey(
        "territory.Organisation",
        verbose_name="structure d'exercice",
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        CareCircleMember,
        verbose_name="membre du cercle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField("valable jusqu'au")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at", "-id"]
