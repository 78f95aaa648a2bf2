from django.conf import settings
from django.db import models

from appui.core import identifiers as ids
from appui.core.models import PersonalDataModel, SoftDeleteModel, TimeStampedModel

from .enums import SECTOR_BY_KIND, OrganisationKind, Profession


class Commune(models.Model):
    """A commune of the Code officiel géographique (Insee): the unit of every territory."""

    insee_code = models.CharField(
        "code Insee", max_length=5, unique=True, validators=[ids.validate_insee_commune]
    )
    name = models.CharField("nom", max_length=150)
    postal_codes = models.CharField(
        "codes postaux", max_length=120, blank=True, help_text="Séparés par des virgules."
    )
    department_code = models.CharField("département", max_length=3, db_index=True)
    region_code = models.CharField("région", max_length=2, blank=True, db_index=True)
    epci_code = models.CharField("EPCI (SIREN)", max_length=9, blank=True, db_index=True)
    latitude = models.FloatField("latitude du centre", null=True, blank=True)
    longitude = models.FloatField("longitude du centre", null=True, blank=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="commune_name")]

    def __str__(self):
        return f"{self.name} ({self.insee_code})"

    @property
    def postal_code_list(self) -> list[str]:
        return [c for c in self.postal_codes.split(",") if c]


class Organisation(TimeStampedModel, SoftDeleteModel):
    """A structure: the DAC itself or a partner (hospital, SSIAD, CCAS, pharmacy…)."""

    name = models.CharField("nom", max_length=255)
    kind = models.CharField("type", max_length=40, choices=OrganisationKind.choices)
    finess_ej = models.CharField(
        "FINESS entité juridique", max_length=9, blank=True, validators=[ids.validate_finess]
    )
    finess_et = models.CharField(
        "FINESS établissement", max_length=9, blank=True, validators=[ids.validate_finess]
    )
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[ids.validate_siret])
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField(
        "code postal", max_length=5, blank=True, validators=[ids.validate_postal_code]
    )
    commune = models.ForeignKey(
        Commune, verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    mssante_address = models.EmailField("messagerie sécurisée de santé (MSSanté)", blank=True)
    website = models.URLField("site internet", blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="rattachée à",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    source = models.CharField("source", max_length=50, blank=True)
    source_id = models.CharField("identifiant à la source", max_length=200, blank=True)

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source=""),
                name="unique_organisation_source",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "name"], name="organisation_kind"),
            models.Index(fields=["finess_et"], name="organisation_finess_et"),
            models.Index(fields=["siret"], name="organisation_siret"),
        ]

    def __str__(self):
        return self.name

    @property
    def sector(self) -> str:
        return SECTOR_BY_KIND.get(self.kind, "")

    @property
    def is_dac(self) -> bool:
        return self.kind == OrganisationKind.DAC

    def identifier_warnings(self) -> list[str]:
        return [
            w for w in (ids.finess_warning(self.finess_ej), ids.finess_warning(self.finess_et)) if w
        ]


class Territory(TimeStampedModel):
    """The set of communes a DAC covers (one territory per DAC)."""

    name = models.CharField("nom", max_length=150)
    dac = models.OneToOneField(
        Organisation,
        verbose_name="DAC",
        on_delete=models.PROTECT,
        related_name="territory",
        limit_choices_to={"kind": OrganisationKind.DAC},
    )
    communes = models.ManyToManyField(Commune, verbose_name="communes", related_name="territories")

    class Meta:
        verbose_name = "territoire"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Professional(PersonalDataModel, TimeStampedModel, SoftDeleteModel):
    """An external practitioner (RPPS/ADELI) or a social professional; may hold a user account."""

    civility = models.CharField(
        "civilité",
        max_length=10,
        blank=True,
        choices=[("Mme", "Madame"), ("M.", "Monsieur")],
    )
    title = models.CharField(
        "titre d'exercice",
        max_length=10,
        blank=True,
        choices=[("Dr", "Docteur"), ("Pr", "Professeur")],
    )
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    rpps = models.CharField(
        "RPPS", max_length=11, blank=True, validators=[ids.validate_rpps], help_text="11 chiffres."
    )
    adeli = models.CharField(
        "ADELI",
        max_length=9,
        blank=True,
        validators=[ids.validate_adeli],
        help_text="9 caractères.",
    )
    profession = models.CharField("profession", max_length=40, choices=Profession.choices)
    specialty = models.CharField(
        "spécialité ou savoir-faire",
        max_length=150,
        blank=True,
        help_text="Ex. : médecine générale.",
    )
    email = models.EmailField("adresse électronique", blank=True)
    mssante_address = models.EmailField("messagerie sécurisée de santé (MSSanté)", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte utilisateur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="professional",
    )
    organisations = models.ManyToManyField(
        Organisation, through="PracticePlace", related_name="professionals", blank=True
    )

    class Meta:
        verbose_name = "professionnel·le"
        verbose_name_plural = "professionnel·le·s"
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="professional_name"),
            models.Index(fields=["profession", "last_name"], name="professional_profession"),
            models.Index(fields=["rpps"], name="professional_rpps"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rpps"],
                condition=~models.Q(rpps="") & models.Q(deleted_at__isnull=True),
                name="unique_active_rpps",
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        prefix = self.title or self.civility
        return f"{prefix} {self.first_name} {self.last_name}".strip()

    def identifier_warnings(self) -> list[str]:
        warning = ids.rpps_warning(self.rpps)
        return [warning] if warning else []


class PracticePlace(PersonalDataModel, TimeStampedModel):
    """Where a professional practises: a structure, and/or an address of their own."""

    professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="practice_places"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="structure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practice_places",
    )
    role_label = models.CharField("fonction", max_length=150, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_primary = models.BooleanField("lieu principal", default=False)

    class Meta:
        verbose_name = "lieu d'exercice"
        verbose_name_plural = "lieux d'exercice"
        ordering = ["-is_primary", "id"]

    def __str__(self):
        return self.organisation.name if self.organisation_id else self.address
