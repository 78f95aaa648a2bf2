"""The PPCS (plan personnalisé de coordination en santé), HAS model 2019: one plan per episode,
in versions. A version holds its own synthesis, needs, goals and actions, so a superseded
version stays as it was validated; the next version copies them (`carried_from` links an item to
its previous copy, for the comparison page)."""

from django.conf import settings
from django.db import models

from appui.core.models import PersonalDataModel, TimeStampedModel
from appui.directory.models import Service
from appui.persons.models import Carer
from appui.territory.models import Professional

from ..enums import ActionKind, ActionStatus, GoalStatus, InformationChannel, PlanStatus
from .episode import CareEpisode


class CarePlan(PersonalDataModel, TimeStampedModel):
    """The PPCS of an episode; its content lives in its versions."""

    episode = models.OneToOneField(CareEpisode, on_delete=models.PROTECT, related_name="care_plan")

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "PPCS"
        verbose_name_plural = "PPCS"

    def __str__(self):
        return f"PPCS — {self.episode}"

    def audit_person_id(self):
        return self.episode.person_id


class CarePlanVersion(PersonalDataModel, TimeStampedModel):
    """One version of the PPCS: draft → submitted → validated by the médecin traitant → active →
    superseded by the next version."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("version")
    status = models.CharField(
        "statut", max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name="version précédente",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Synthesis of the situation (needs by domain are `Need` rows of this version).
    situation = models.TextField("synthèse de la situation", blank=True)
    wishes = models.TextField("attentes et projet de la personne", blank=True)
    preferences = models.TextField("préférences de la personne", blank=True)
    difficulties = models.TextField(
        "difficultés (contexte médical, social, psychologique, autonomie)", blank=True
    )
    useful_contacts = models.TextField("contacts utiles", blank=True)
    review_on = models.DateField("date de révision", null=True, blank=True)
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    # Validation by the médecin traitant: by the GP in the app, or recorded by staff.
    gp = models.ForeignKey(
        Professional,
        verbose_name="médecin traitant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    gp_validated_on = models.DateField("validé par le médecin traitant le", null=True, blank=True)
    gp_validation_channel = models.CharField(
        "validation reçue comment", max_length=20, choices=InformationChannel.choices, blank=True
    )
    gp_validation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="validation enregistrée par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    gp_comment = models.TextField("commentaire du médecin traitant", blank=True)
    # The person's agreement (or their legal representative's).
    person_agreed_on = models.DateField("accord de la personne le", null=True, blank=True)
    person_agreement_how = models.CharField(
        "accord recueilli comment", max_length=20, choices=InformationChannel.choices, blank=True
    )
    person_agreement_by = models.CharField("accord donné par", max_length=200, blank=True)
    activated_on = models.DateField("en vigueur le", null=True, blank=True)
    superseded_on = models.DateField("remplacé le", null=True, blank=True)
    # Optimistic locking: each save increments it; a save based on an older value is refused.
    lock_version = models.PositiveIntegerField(default=1)

    audit_person_lookup = "plan__episode__person"

    class Meta:
        verbose_name = "version du PPCS"
        verbose_name_plural = "versions du PPCS"
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number")
        ]
        indexes = [
            models.Index(fields=["status", "review_on"], name="plan_version_review"),
            # Indicators: versions submitted to the GP in a period.
            models.Index(fields=["submitted_at"], name="plan_version_submitted"),
        ]

    def __str__(self):
        return f"PPCS version {self.number}"

    def audit_person_id(self):
        return self.plan.episode.person_id


class Goal(PersonalDataModel, TimeStampedModel):
    """A shared objective of a version, in priority order."""

    plan_version = models.ForeignKey(
        CarePlanVersion, on_delete=models.PROTECT, related_name="goals"
    )
    position = models.PositiveSmallIntegerField("priorité", default=1)
    title = models.CharField("objectif", max_length=255)
    needs = models.ManyToManyField("care.Need", verbose_name="répond aux besoins", blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=GoalStatus.choices, default=GoalStatus.PURSUED
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    audit_person_lookup = "plan_version__plan__episode__person"

    class Meta:
        verbose_name = "objectif"
        ordering = ["plan_version", "position", "id"]

    def __str__(self):
        return self.title

    def audit_person_id(self):
        return self.plan_version.plan.episode.person_id


class Action(PersonalDataModel, TimeStampedModel):
    """Who does what and when: an action of a version, for a goal. The responsible is a
    directory service, a professional, a carer, a DAC staff member, or named in `responsible_label`."""

    plan_version = models.ForeignKey(
        CarePlanVersion, on_delete=models.PROTECT, related_name="actions"
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    kind = models.CharField("type", max_length=20, choices=ActionKind.choices)
    description = models.TextField("action")
    responsible_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_professional = models.ForeignKey(
        Professional, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_carer = models.ForeignKey(
        Carer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_label = models.CharField("responsable (autre)", max_length=200, blank=True)
    starts_on = models.DateField("début", null=True, blank=True)
    due_on = models.DateField("échéance", null=True, blank=True)
    periodicity = models.CharField("périodicité", max_length=100, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    not_done_reason = models.TextField("motif de non-réalisation", blank=True)
    status_changed_at = models.DateTimeField("statut modifié le", null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    audit_person_lookup = "plan_version__plan__episode__person"

    class Meta:
        verbose_name = "action"
        ordering = ["plan_version", "position", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="action_status_due"),
        ]

    def __str__(self):
        return self.description[:80]

    def audit_person_id(self):
        return self.plan_version.plan.episode.person_id

    @property
    def responsible(self):
        return (
            self.responsible_service
            or self.responsible_professional
            or self.responsible_carer
            or self.responsible_user
            or self.responsible_label
        )
