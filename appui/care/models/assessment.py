"""Assessments: forms defined as data and versioned, and the assessments filled in with them.

A form's `definition` is JSON (domains → questions → answer type, options, scores); editing a form
makes a new version row, and an assessment points to the version it was filled with, so old
answers stay readable after the form changes."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from appui.core.models import PersonalDataModel, TimeStampedModel
from appui.territory.models import Organisation

from ..enums import AssessmentDomain, AssessmentPlace, AssessmentStatus, FormKind
from .episode import CareEpisode


class AssessmentForm(TimeStampedModel):
    """One version of an assessment grid. `dac` empty = a grid shipped with Appui (AGGIR, the
    multidimensional grid), available to every DAC."""

    dac = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_forms",
    )
    code = models.SlugField("code", max_length=60)
    version = models.PositiveSmallIntegerField("version", default=1)
    title = models.CharField("intitulé", max_length=200)
    kind = models.CharField("type", max_length=20, choices=FormKind.choices)
    description = models.TextField("description", blank=True)
    definition = models.JSONField("définition", default=dict)
    is_active = models.BooleanField("proposée", default=True)

    class Meta:
        verbose_name = "grille d'évaluation"
        verbose_name_plural = "grilles d'évaluation"
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["dac", "code", "version"],
                name="assessment_form_version",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"


class Assessment(PersonalDataModel, TimeStampedModel):
    """An assessment filled in by staff: date, place, participants, answers and computed result
    (the GIR for AGGIR, problems / uncovered needs for the multidimensional grid)."""

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="assessments")
    form = models.ForeignKey(
        AssessmentForm, verbose_name="grille", on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField("évaluée le", default=timezone.localdate)
    place = models.CharField("lieu", max_length=20, choices=AssessmentPlace.choices)
    participants = models.TextField("participants", blank=True)
    answers = models.JSONField("réponses", default=dict, blank=True)
    result = models.JSONField("résultat", default=dict, blank=True)
    gir = models.PositiveSmallIntegerField("GIR", null=True, blank=True)
    summary = models.TextField("synthèse", blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField("terminée le", null=True, blank=True)
    # Optimistic locking: each save increments it; a save based on an older value is refused.
    lock_version = models.PositiveIntegerField(default=1)

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "évaluation"
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["episode", "assessed_on"], name="assessment_episode")]

    def __str__(self):
        return f"{self.form.title} du {self.assessed_on:%d/%m/%Y}"

    def audit_person_id(self):
        return self.episode.person_id


class Need(PersonalDataModel, TimeStampedModel):
    """A problem or uncovered need, by domain. Found by an assessment, then carried into a PPCS
    version (each version holds its own copy, so versions can be compared and printed as they
    were)."""

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="needs")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    plan_version = models.ForeignKey(
        "care.CarePlanVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    domain = models.CharField("domaine", max_length=20, choices=AssessmentDomain.choices)
    description = models.TextField("problème ou besoin non couvert")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "problème / besoin"
        verbose_name_plural = "problèmes / besoins"
        ordering = ["domain", "position", "id"]

    def __str__(self):
        return self.description

    def audit_person_id(self):
        return self.episode.person_id
