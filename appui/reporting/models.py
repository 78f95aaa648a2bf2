"""Steering: the DAC's budget and derogatory services, the activity report, the CPOM with the ARS,
the quality self-assessment, and the cartography of coordination structures (PRODUCT §8).

Indicator values are never stored: they are computed from the recorded facts (see
`indicators/`). Only what a person writes (commentaries, targets, observations) and the figures
frozen when a CPOM review is sent are kept.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from appui.core.models import PersonalDataModel, TimeStampedModel
from appui.territory.enums import OrganisationKind
from appui.territory.models import Commune, Organisation

from .enums import (
    ComplexityAxis,
    DerogatoryKind,
    HealthSocialAxis,
    ObjectiveKind,
    ReportStatus,
    ReviewStatus,
    TargetDirection,
)

DAC_ONLY = {"kind": OrganisationKind.DAC}
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class DacBudget(TimeStampedModel):
    """The DAC's yearly budget (cost per person followed = budget / file active)."""

    dac = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="budgets", limit_choices_to=DAC_ONLY
    )
    year = models.PositiveSmallIntegerField("année")
    amount = models.DecimalField("budget de fonctionnement (€)", **MONEY)
    derogatory_amount = models.DecimalField(
        "enveloppe des prestations dérogatoires (€)", default=0, **MONEY
    )

    class Meta:
        verbose_name = "budget annuel"
        verbose_name_plural = "budgets annuels"
        ordering = ["dac", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["dac", "year"], name="budget_one_per_dac_year")
        ]

    def __str__(self):
        return f"Budget {self.year}"


class DerogatoryService(PersonalDataModel, TimeStampedModel):
    """A service paid by the DAC for a person (psychologist, dietitian…): never deleted, a mistake
    is cancelled with its reason."""

    dac = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", limit_choices_to=DAC_ONLY
    )
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="derogatory_services"
    )
    episode = models.ForeignKey(
        "care.CareEpisode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derogatory_services",
    )
    kind = models.CharField("prestation", max_length=30, choices=DerogatoryKind.choices)
    provider_label = models.CharField("prestataire", max_length=200)
    provider_professional = models.ForeignKey(
        "territory.Professional",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="prestataire (annuaire)",
    )
    provided_on = models.DateField("réalisée le")
    sessions = models.PositiveSmallIntegerField(
        "nombre de séances", default=1, validators=[MinValueValidator(1)]
    )
    amount = models.DecimalField("montant (€)", **MONEY)
    budget_line = models.CharField("ligne budgétaire", max_length=100)
    invoice_reference = models.CharField("référence de la facture", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField("motif d'annulation", max_length=255, blank=True)

    audit_person_lookup = "person"

    class Meta:
        verbose_name = "prestation dérogatoire"
        verbose_name_plural = "prestations dérogatoires"
        ordering = ["-provided_on", "-id"]
        indexes = [
            models.Index(fields=["dac", "provided_on"], name="derog_dac_provided"),
            models.Index(fields=["dac", "kind", "provided_on"], name="derog_dac_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.provided_on:%d/%m/%Y}"

    def audit_person_id(self):
        return self.person_id


class ActivityReport(TimeStampedModel):
    """The yearly rapport d'activité: the figures come from the catalogue at generation time;
    the director's commentary (one text per section) is kept here."""

    dac = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", limit_choices_to=DAC_ONLY
    )
    year = models.PositiveSmallIntegerField("année")
    commentary = models.JSONField("commentaires", default=dict, blank=True)
    status = models.CharField(
        "état", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    finalised_at = models.DateTimeField("arrêté le", null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "rapport d'activité"
        verbose_name_plural = "rapports d'activité"
        ordering = ["dac", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["dac", "year"], name="report_one_per_dac_year")
        ]

    def __str__(self):
        return f"Rapport d'activité {self.year}"


class Contract(TimeStampedModel):
    """The CPOM (contrat pluriannuel d'objectifs et de moyens) between the DAC and the ARS."""

    dac = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contracts", limit_choices_to=DAC_ONLY
    )
    ars = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.ARS},
        verbose_name="ARS",
    )
    title = models.CharField("intitulé", max_length=200)
    reference = models.CharField("référence", max_length=100, blank=True)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    signed_on = models.DateField("signé le", null=True, blank=True)

    class Meta:
        verbose_name = "CPOM"
        verbose_name_plural = "CPOM"
        ordering = ["dac", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="contract_dates_order"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.starts_on.year, self.ends_on.year + 1))


class ContractObjective(TimeStampedModel):
    """A strategic objective, or an operational objective under a strategic one."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="objectives")
    kind = models.CharField("niveau", max_length=20, choices=ObjectiveKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="objectif stratégique",
    )
    code = models.CharField("code", max_length=20, blank=True)
    title = models.CharField("objectif", max_length=300)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "objectif du CPOM"
        verbose_name_plural = "objectifs du CPOM"
        ordering = ["contract", "position", "id"]

    def __str__(self):
        return f"{self.code} {self.title}".strip()


class ContractIndicator(TimeStampedModel):
    """An indicator followed under an objective: a catalogue indicator (its value is computed) or
    one the contract defines itself (its value is entered at the review)."""

    objective = models.ForeignKey(
        ContractObjective, on_delete=models.PROTECT, related_name="indicators"
    )
    indicator_code = models.CharField("indicateur du catalogue", max_length=60, blank=True)
    label = models.CharField("intitulé", max_length=300, blank=True)
    unit = models.CharField("unité", max_length=30, blank=True)
    direction = models.CharField(
        "sens", max_length=10, choices=TargetDirection.choices, default=TargetDirection.AT_LEAST
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "indicateur du CPOM"
        verbose_name_plural = "indicateurs du CPOM"
        ordering = ["objective", "position", "id"]

    def __str__(self):
        return self.label or self.indicator_code


class ContractTarget(models.Model):
    """The target of one indicator for one year of the contract."""

    indicator = models.ForeignKey(
        ContractIndicator, on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField("année")
    target = models.DecimalField("cible", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "cible"
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_one_per_year")
        ]

    def __str__(self):
        return f"Cible {self.year} : {self.target}"


class AnnualReview(TimeStampedModel):
    """The annual review of the CPOM: target against actual, the DAC's comments, the ARS's
    observations letter."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reviews")
    year = models.PositiveSmallIntegerField("année")
    status = models.CharField(
        "état", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    dac_comment = models.TextField("analyse du DAC", blank=True)
    sent_at = models.DateTimeField("transmise le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ars_letter_on = models.DateField("courrier d'observations de l'ARS du", null=True, blank=True)
    ars_observations = models.TextField("observations de l'ARS", blank=True)

    class Meta:
        verbose_name = "revue annuelle du CPOM"
        verbose_name_plural = "revues annuelles du CPOM"
        ordering = ["contract", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="review_one_per_year")
        ]

    def __str__(self):
        return f"Revue annuelle {self.year}"


class AnnualReviewLine(TimeStampedModel):
    """One indicator in a review: the actual value (frozen when the review is sent) and a comment."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(ContractIndicator, on_delete=models.PROTECT, related_name="+")
    actual = models.DecimalField("réalisé", max_digits=12, decimal_places=2, null=True, blank=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "ligne de revue"
        ordering = ["review", "indicator__objective__position", "indicator__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "indicator"], name="review_line_unique")
        ]


class QualityAssessment(TimeStampedModel):
    """The yearly quality self-assessment (ISQ: 10 yes/no items, seed 002 fiche L1)."""

    dac = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", limit_choices_to=DAC_ONLY
    )
    year = models.PositiveSmallIntegerField("année")
    completed_at = models.DateTimeField("terminée le", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "auto-évaluation qualité"
        verbose_name_plural = "auto-évaluations qualité"
        ordering = ["dac", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["dac", "year"], name="quality_one_per_dac_year")
        ]

    def __str__(self):
        return f"Auto-évaluation {self.year}"


class QualityAnswer(TimeStampedModel):
    """The answer to one ISQ item, with its evidence and what the data said when pre-filled."""

    assessment = models.ForeignKey(
        QualityAssessment, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.CharField("critère", max_length=40)
    answer = models.BooleanField("réponse", null=True, blank=True)
    evidence = models.TextField("éléments de preuve (liens, documents)", blank=True)
    data_note = models.CharField("ce que disent les données", max_length=300, blank=True)

    class Meta:
        verbose_name = "réponse au critère"
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="quality_answer_unique")
        ]


class CoordinationCoverage(TimeStampedModel):
    """Which communes and populations a coordination structure (CLIC, CPTS, Communauté 360,
    MAIA-like team… or a DAC) covers, and where it stands on seed 004's two axes."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="coverage"
    )
    communes = models.ManyToManyField(Commune, related_name="+", verbose_name="communes couvertes")
    population = models.CharField("population concernée", max_length=200)
    health_social = models.PositiveSmallIntegerField(
        "champ (sanitaire ↔ social)",
        choices=HealthSocialAxis.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    complexity = models.PositiveSmallIntegerField(
        "situations (standard ↔ complexes)",
        choices=ComplexityAxis.choices,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    note = models.CharField("précisions", max_length=300, blank=True)

    class Meta:
        verbose_name = "couverture d'une structure de coordination"
        verbose_name_plural = "couvertures des structures de coordination"
        ordering = ["organisation__name"]

    def __str__(self):
        return f"Couverture de {self.organisation}"
