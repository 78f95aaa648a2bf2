"""The répertoire opérationnel des ressources: services of the territory, and unmet needs."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from appui.core.models import SoftDeleteModel, TimeStampedModel
from appui.territory.enums import Sector
from appui.territory.models import Commune, Organisation, Professional

from .enums import (
    ALL_PUBLICS,
    NATIONAL_CODES,
    PUBLICS,
    THEMES,
    AccessCondition,
    Fees,
    ImportFormat,
    MobilisationMode,
    MobilisedBy,
    ReceptionMode,
    theme_label,
)


class Service(TimeStampedModel, SoftDeleteModel):
    """A resource: what an organisation or a professional offers, to whom, where and how.

    The lists (themes, publics, zone codes…) are JSON lists of vocabulary codes (see `enums`), as in
    the data·inclusion schema. `search_text`, `latitude` and `longitude` are derived by
    `refresh_derived()`, which every save and every import calls; the full-text index is kept by the
    database itself (triggers, see the migrations).
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="structure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    professional = models.ForeignKey(
        Professional,
        verbose_name="professionnel·le",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    name = models.CharField("nom du service", max_length=150)
    description = models.TextField("description", blank=True)
    sector = models.CharField("secteur", max_length=20, choices=Sector.choices)
    themes = models.JSONField("thématiques", default=list, blank=True)
    publics = models.JSONField("publics", default=list, blank=True)
    age_min = models.PositiveSmallIntegerField("âge minimum", null=True, blank=True)
    age_max = models.PositiveSmallIntegerField("âge maximum", null=True, blank=True)
    publics_details = models.CharField("précisions sur les publics", max_length=500, blank=True)
    access_conditions = models.JSONField("conditions d'accès", default=list, blank=True)
    access_details = models.TextField("précisions sur l'accès", blank=True)
    fees = models.CharField("frais", max_length=10, choices=Fees.choices, blank=True)
    fees_details = models.CharField("précisions sur les frais", max_length=500, blank=True)
    zone_codes = models.JSONField(
        "zone d'intervention",
        default=list,
        blank=True,
        help_text="Codes officiels : communes (Insee), EPCI (SIREN), départements, ou « france ».",
    )
    radius_km = models.FloatField("rayon d'intervention (km)", null=True, blank=True)
    reception_modes = models.JSONField("modes d'accueil", default=list, blank=True)
    mobilised_by = models.JSONField("mobilisable par", default=list, blank=True)
    mobilisation_modes = models.JSONField("comment le mobiliser", default=list, blank=True)
    mobilisation_details = models.TextField("précisions sur la mobilisation", blank=True)
    mobilisation_link = models.URLField("lien de mobilisation", blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT
    )
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    located_at_address = models.BooleanField("position à l'adresse", default=False)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    phone_2 = models.CharField("autre téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    website = models.URLField("site internet", blank=True)
    opening_hours = models.CharField(
        "horaires d'accueil",
        max_length=500,
        blank=True,
        help_text="Ex. : du lundi au vendredi, 9 h – 17 h ; astreinte 24 h/24.",
    )
    accepting = models.BooleanField(
        "accepte de nouvelles personnes",
        default=True,
        help_text="Décochez quand le service ne peut plus prendre de nouvelle demande.",
    )
    waiting_days = models.PositiveSmallIntegerField(
        "délai d'attente (jours)", null=True, blank=True
    )
    availability_note = models.CharField("disponibilité", max_length=500, blank=True)
    source = models.CharField("source", max_length=50, blank=True)
    source_id = models.CharField("identifiant à la source", max_length=200, blank=True)
    source_updated_on = models.DateField("mis à jour à la source le", null=True, blank=True)
    verified_at = models.DateTimeField("vérifié le", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vérifié par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    search_text = models.TextField("texte indexé", blank=True, editable=False)
    # PostgreSQL only (tsvector, kept by a trigger); an unused column on SQLite, which uses FTS5.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = "service"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["sector", "name"], name="service_sector"),
            models.Index(fields=["commune", "name"], name="service_commune"),
            models.Index(fields=["organisation", "name"], name="service_organisation"),
            models.Index(fields=["verified_at"], name="service_verified"),
            models.Index(fields=["accepting"], name="service_accepting"),
            models.Index(fields=["latitude", "longitude"], name="service_position"),
            # The radius branch of the coverage test reads only services that declare a radius.
            models.Index(
                fields=["latitude", "longitude"],
                condition=models.Q(radius_km__isnull=False),
                name="service_radius_position",
            ),
            # Counting live services is an index-only scan once the table is vacuumed.
            models.Index(
                fields=["accepting"],
                condition=models.Q(deleted_at__isnull=True),
                name="service_alive",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source=""),
                name="unique_service_source",
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False)
                | models.Q(professional__isnull=False),
                name="service_has_provider",
            ),
        ]

    def __str__(self):
        return self.name

    # -- derived fields ------------------------------------------------------------------------

    @property
    def provider(self):
        return self.organisation or self.professional

    @property
    def provider_name(self) -> str:
        provider = self.provider
        return str(provider) if provider else ""

    def refresh_derived(self) -> None:
        """Position (own address, else commune centre) and the indexed text."""
        if not self.located_at_address and self.commune_id:
            commune = self.commune
            self.latitude, self.longitude = commune.latitude, commune.longitude
        parts = [self.provider_name]
        for code in self.themes:
            theme = THEMES.get(code)
            if theme:
                parts += [theme.label, theme.keywords]
        parts += [PUBLICS.get(code, "") for code in self.publics]
        if self.commune_id:
            parts.append(self.commune.name)
        parts.append(self.availability_note)
        self.search_text = " ".join(p for p in parts if p)

    def save(self, *args, **kwargs):
        self.refresh_derived()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if not self.organisation_id and not self.professional_id:
            errors["organisation"] = (
                "Indiquez la structure ou le professionnel qui propose ce service."
            )
        unknown = [c for c in self.themes if c not in THEMES]
        if unknown:
            errors["themes"] = "Thématique inconnue : " + ", ".join(unknown)
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = "L'âge maximum doit être supérieur à l'âge minimum."
        if not self.zone_codes and self.radius_km is None and not self.commune_id:
            errors["zone_codes"] = (
                "Indiquez où le service intervient : des communes, un département, un rayon autour "
                "de son adresse, ou au moins sa commune."
            )
        if errors:
            raise ValidationError(errors)

    # -- reading helpers -----------------------------------------------------------------------

    @property
    def theme_labels(self) -> list[str]:
        return [theme_label(c) for c in self.themes]

    @property
    def public_labels(self) -> list[str]:
        return [PUBLICS.get(c, c) for c in self.publics]

    @property
    def open_to_all(self) -> bool:
        return not self.publics or ALL_PUBLICS in self.publics

    @property
    def reception_mode_labels(self) -> list[str]:
        return _labels(self.reception_modes, ReceptionMode)

    @property
    def mobilised_by_labels(self) -> list[str]:
        return _labels(self.mobilised_by, MobilisedBy)

    @property
    def mobilisation_mode_labels(self) -> list[str]:
        return _labels(self.mobilisation_modes, MobilisationMode)

    @property
    def access_condition_labels(self) -> list[str]:
        return _labels(self.access_conditions, AccessCondition)

    @property
    def is_national(self) -> bool:
        return any(code in NATIONAL_CODES for code in self.zone_codes)

    @property
    def needs_verification(self) -> bool:
        limit = timezone.now() - timedelta(days=settings.APPUI_DIRECTORY_VERIFY_DAYS)
        return self.verified_at is None or self.verified_at < limit

    def coverage(self, commune: Commune | None) -> str | None:
        """How the service intervenes in `commune` — one of COVERAGE_KINDS — or None if it does
        not (the same rule as the search's SQL filter, `search.coverage_q`)."""
        if commune is None:
            return None
        codes = set(self.zone_codes)
        if commune.insee_code in codes:
            return "commune"
        if commune.epci_code and commune.epci_code in codes:
            return "epci"
        if commune.department_code in codes:
            return "department"
        if codes & set(NATIONAL_CODES):
            return "national"
        if self.commune_id and self.commune_id == commune.pk:
            return "based_here"
        distance = self.distance_km(commune)
        if self.radius_km is not None and distance is not None and distance <= self.radius_km:
            return "radius"
        return None

    def covers(self, commune: Commune | None) -> bool:
        return self.coverage(commune) is not None

    def distance_km(self, commune: Commune | None) -> float | None:
        if commune is None or None in (
            self.latitude,
            self.longitude,
            commune.latitude,
            commune.longitude,
        ):
            return None
        return flat_distance_km(self.latitude, self.longitude, commune.latitude, commune.longitude)


def _labels(codes: list[str], choices) -> list[str]:
    """French labels of a list of codes (an unknown code is shown as is)."""
    labels = dict(choices.choices)
    return [labels.get(code, code) for code in codes]


KM_PER_DEGREE = 111.2


def flat_distance_km(lat1, lon1, lat2, lon2) -> float:
    """Equirectangular distance: exact enough within a region, and computable in plain SQL."""
    k = math.cos(math.radians(lat2))
    return KM_PER_DEGREE * math.hypot(lat1 - lat2, (lon1 - lon2) * k)


class UnmetNeed(TimeStampedModel, SoftDeleteModel):
    """A need for which no resource of the territory fits (besoin non couvert, mission 3)."""

    theme = models.CharField("thématique", max_length=120)
    commune = models.ForeignKey(
        Commune, verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT
    )
    public = models.CharField("public", max_length=80, blank=True)
    description = models.TextField("précisions", blank=True)
    search_query = models.CharField("recherche effectuée", max_length=300, blank=True)
    dac = models.ForeignKey(
        Organisation,
        verbose_name="DAC",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    noted_on = models.DateField("constaté le", default=timezone.localdate)

    class Meta:
        verbose_name = "besoin non couvert"
        verbose_name_plural = "besoins non couverts"
        ordering = ["-noted_on", "-id"]
        indexes = [
            models.Index(fields=["dac", "noted_on"], name="unmetneed_dac_date"),
            models.Index(fields=["theme", "noted_on"], name="unmetneed_theme"),
            models.Index(fields=["commune", "noted_on"], name="unmetneed_commune"),
        ]

    def __str__(self):
        return f"{self.theme_label} — {self.commune or 'commune non précisée'}"

    @property
    def theme_label(self) -> str:
        return theme_label(self.theme)

    @property
    def public_label(self) -> str:
        return PUBLICS.get(self.public, self.public)


class ImportRun(models.Model):
    """One import of a file into the directory, with its report (kept for the record)."""

    format = models.CharField("format", max_length=20, choices=ImportFormat.choices)
    filename = models.CharField("fichier", max_length=255, blank=True)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied = models.BooleanField("appliqué", default=False)
    created = models.PositiveIntegerField("créés", default=0)
    updated = models.PositiveIntegerField("mis à jour", default=0)
    unchanged = models.PositiveIntegerField("inchangés", default=0)
    rejected = models.JSONField("lignes rejetées", default=list, blank=True)
    duration_ms = models.PositiveIntegerField("durée (ms)", default=0)

    class Meta:
        verbose_name = "import du répertoire"
        verbose_name_plural = "imports du répertoire"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_format_display()} — {self.at:%d/%m/%Y %H:%M}"
