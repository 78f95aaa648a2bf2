"""Persons followed by a DAC: identity (INS traits and reliability), contacts, carers, merges."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from appui.core import identifiers as ids
from appui.core.models import PersonalDataModel, SoftDeleteModel, TimeStampedModel
from appui.territory.models import Commune, Organisation, Professional

from . import names
from .enums import (
    GpStatus,
    IdentityEvidence,
    IdentityStatus,
    LegalMeasure,
    NirKind,
    Relationship,
    Sex,
)


class PersonQuerySet(models.QuerySet):
    def current(self):
        """Persons not merged into another record (the ones lists show)."""
        return self.filter(merged_into__isnull=True)


class PersonManager(models.Manager.from_queryset(PersonQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Person(PersonalDataModel, TimeStampedModel, SoftDeleteModel):
    """The person concerned by a request or followed by the DAC (usager)."""

    dac = models.ForeignKey(
        Organisation, verbose_name="DAC", on_delete=models.PROTECT, related_name="persons"
    )
    # INS traits (birth identity) and the name in use.
    birth_name = models.CharField("nom de naissance", max_length=150)
    used_name = models.CharField("nom utilisé", max_length=150, blank=True)
    first_names = models.CharField(
        "prénoms de naissance",
        max_length=255,
        blank=True,
        help_text="Tous les prénoms de l'acte de naissance, dans l'ordre, séparés par des espaces.",
    )
    first_name = models.CharField("premier prénom de naissance", max_length=100)
    used_first_name = models.CharField("prénom utilisé", max_length=100, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("date de naissance")
    birthplace_code = models.CharField(
        "lieu de naissance (code Insee)",
        max_length=5,
        blank=True,
        help_text="Code Insee de la commune de naissance, ou code pays (99xxx) si né·e à l'étranger.",
    )
    birthplace_label = models.CharField("lieu de naissance (libellé)", max_length=150, blank=True)
    nir = models.CharField(
        "matricule INS (NIR ou NIA)",
        max_length=15,
        blank=True,
        validators=[ids.validate_nir],
        help_text="15 caractères, clé comprise.",
    )
    nir_kind = models.CharField(
        "type de matricule", max_length=3, choices=NirKind.choices, blank=True
    )
    # Identity reliability (RNIV).
    identity_status = models.CharField(
        "statut de l'identité",
        max_length=5,
        choices=IdentityStatus.choices,
        default=IdentityStatus.PROVISIONAL,
    )
    identity_doubtful = models.BooleanField("identité douteuse", default=False)
    identity_fictitious = models.BooleanField("identité fictive", default=False)
    identity_changed_at = models.DateTimeField("statut fixé le", null=True, blank=True)
    identity_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="statut fixé par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Contacts.
    address = models.CharField("adresse", max_length=255, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    postal_code = models.CharField(
        "code postal", max_length=5, blank=True, validators=[ids.validate_postal_code]
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name="commune de résidence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    phone_2 = models.CharField("autre téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    lives_alone = models.BooleanField("vit seul·e", null=True, blank=True)
    # Médecin traitant: a professional of the directory, or explicitly unknown / none.
    gp = models.ForeignKey(
        Professional,
        verbose_name="médecin traitant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patients",
    )
    gp_status = models.CharField(
        "médecin traitant", max_length=10, choices=GpStatus.choices, default=GpStatus.UNKNOWN
    )
    deceased_on = models.DateField("décédé·e le", null=True, blank=True)
    # A merged record stays (history kept) and points to the record it was merged into.
    merged_into = models.ForeignKey(
        "self",
        verbose_name="fusionnée dans",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )
    # Folded names (no accents, case, hyphens, apostrophes or spaces), for search and duplicates.
    birth_name_key = models.CharField(max_length=150, blank=True, editable=False)
    used_name_key = models.CharField(max_length=150, blank=True, editable=False)

    objects = PersonManager()

    class Meta:
        verbose_name = "personne"
        ordering = ["birth_name", "first_name"]
        indexes = [
            models.Index(fields=["dac", "birth_name", "first_name"], name="person_dac_name"),
            models.Index(fields=["dac", "used_name"], name="person_dac_used_name"),
            models.Index(fields=["dac", "birth_date"], name="person_dac_birth_date"),
            models.Index(fields=["nir"], name="person_nir"),
            models.Index(fields=["gp"], name="person_gp"),
            models.Index(
                fields=["dac", "birth_name_key"],
                name="person_dac_birth_key",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["dac", "used_name_key"],
                name="person_dac_used_key",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["dac", "identity_status"], name="person_dac_identity"),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.birth_name_key = names.name_key(self.birth_name)
        self.used_name_key = names.name_key(self.used_name)
        super().save(*args, **kwargs)

    def audit_person_id(self):
        return self.pk

    @property
    def display_name(self) -> str:
        """Civility, name in use (birth name if none), first name in use."""
        civility = {"F": "Mme", "M": "M."}.get(self.sex, "")
        last = (self.used_name or self.birth_name).upper()
        first = self.used_first_name or self.first_name
        return f"{civility} {first} {last}".strip()

    @property
    def birth_identity(self) -> str:
        """The birth identity as the INS traits say it (shown next to the name in use)."""
        return f"{self.birth_name.upper()} {self.first_names or self.first_name}"

    @property
    def is_qualified(self) -> bool:
        return self.identity_status == IdentityStatus.QUALIFIED

    @property
    def ins(self) -> str:
        """The INS is shown and exchanged only for a qualified identity (RNIV)."""
        return self.nir if self.is_qualified else ""

    def age(self, on=None) -> int:
        on = on or timezone.localdate()
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    @property
    def is_minor(self) -> bool:
        return self.age() < 18


class IdentityCheck(PersonalDataModel, models.Model):
    """One change of identity status: who raised it, when, on which evidence (kept forever)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identity_checks")
    status = models.CharField("statut", max_length=5, choices=IdentityStatus.choices)
    previous_status = models.CharField(
        "statut précédent", max_length=5, choices=IdentityStatus.choices, blank=True
    )
    evidence = models.CharField(
        "justificatif", max_length=30, choices=IdentityEvidence.choices, blank=True
    )
    evidence_reference = models.CharField("référence du justificatif", max_length=100, blank=True)
    insi_queried_on = models.DateField(
        "interrogation du téléservice INSi le", null=True, blank=True
    )
    doubtful = models.BooleanField("identité douteuse", default=False)
    fictitious = models.BooleanField("identité fictive", default=False)
    comment = models.TextField("commentaire", blank=True)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "vérification d'identité"
        verbose_name_plural = "vérifications d'identité"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_status_display()} ({self.at:%d/%m/%Y})"

    def audit_person_id(self):
        return self.person_id


class Carer(PersonalDataModel, TimeStampedModel, SoftDeleteModel):
    """Someone close to the person: a carer (aidant), a legal representative, or both.

    When the carer is also a person known to the DAC (followed or not), `linked_person` ties the
    two records, so each page shows the link.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="carers")
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=150)
    relationship = models.CharField("lien", max_length=20, choices=Relationship.choices)
    is_carer = models.BooleanField("aidant·e", default=True)
    is_main_carer = models.BooleanField("aidant·e principal·e", default=False)
    is_legal_representative = models.BooleanField("représentant·e légal·e", default=False)
    legal_measure = models.CharField(
        "mesure", max_length=30, choices=LegalMeasure.choices, blank=True
    )
    lives_with_person = models.BooleanField("vit avec la personne", default=False)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    notes = models.TextField("précisions", blank=True)
    linked_person = models.ForeignKey(
        Person,
        verbose_name="aussi connu·e du DAC",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cared_for",
    )

    class Meta:
        verbose_name = "aidant·e ou représentant·e légal·e"
        verbose_name_plural = "aidant·e·s et représentant·e·s légaux·ales"
        ordering = ["-is_legal_representative", "-is_main_carer", "last_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name.upper()}"

    def audit_person_id(self):
        return self.person_id

    @property
    def roles_label(self) -> str:
        roles = []
        if self.is_legal_representative:
            roles.append("représentant·e légal·e")
        if self.is_carer:
            roles.append("aidant·e principal·e" if self.is_main_carer else "aidant·e")
        return ", ".join(roles)


class PersonMerge(models.Model):
    """A deliberate merge of a duplicate record into another, reversible.

    `moved` lists, per model, the rows re-attached from the duplicate to the kept record, so that
    undoing the merge puts exactly those rows back.
    """

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    reason = models.TextField("motif")
    moved = models.JSONField("rattachements déplacés", default=dict, blank=True)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    undone_at = models.DateTimeField("annulée le", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    undo_reason = models.TextField("motif de l'annulation", blank=True)

    class Meta:
        verbose_name = "fusion de dossiers"
        verbose_name_plural = "fusions de dossiers"
        ordering = ["-at"]

    def __str__(self):
        return f"Fusion #{self.merged_id} → #{self.kept_id}"


class NotDuplicate(models.Model):
    """Two records a user declared distinct: the pair is no longer proposed as a duplicate."""

    first = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "paire distincte"
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_not_duplicate"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="not_duplicate_ordered"
            ),
        ]

    def __str__(self):
        return f"#{self.first_id} ≠ #{self.second_id}"
