"""The care episode (dossier de coordination): inclusion, consent, GP information, intensity level
and its history, exit, reopening."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from appui.core.models import PersonalDataModel, TimeStampedModel
from appui.intake.enums import IntensityLevel
from appui.intake.models import SupportRequest
from appui.persons.models import Carer, Person
from appui.territory.models import Organisation

from ..enums import (
    ConsentAnswer,
    ConsentGivenBy,
    EpisodeKind,
    EpisodeStatus,
    ExitReason,
    InformationChannel,
)


class CareEpisode(PersonalDataModel, TimeStampedModel):
    """One period of DAC support for a person, from inclusion to exit (dossier de coordination)."""

    dac = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="care_episodes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_episodes")
    request = models.ForeignKey(
        SupportRequest,
        verbose_name="demande d'origine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_episodes",
    )
    opening_reason = models.TextField(
        "motif de l'ouverture",
        blank=True,
        help_text="Obligatoire quand l'accompagnement n'est pas ouvert depuis une demande.",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name="accompagnement précédent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reopenings",
    )
    kind = models.CharField("type", max_length=20, choices=EpisodeKind.choices)
    status = models.CharField(
        "statut", max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    opened_on = models.DateField("inclusion le", default=timezone.localdate)
    level = models.CharField("niveau d'intensité", max_length=20, choices=IntensityLevel.choices)
    level_since = models.DateTimeField("niveau depuis le", default=timezone.now)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent·e",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes_as_referent",
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="gestionnaire de cas",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes_as_case_manager",
    )
    # The médecin traitant informed of the inclusion (PRODUCT §7: always, or why not).
    gp_informed_on = models.DateField("médecin traitant informé le", null=True, blank=True)
    gp_informed_how = models.CharField(
        "médecin traitant informé comment",
        max_length=20,
        choices=InformationChannel.choices,
        blank=True,
    )
    gp_not_informed_reason = models.CharField(
        "médecin traitant non informé, pourquoi", max_length=255, blank=True
    )
    closed_on = models.DateField("sortie le", null=True, blank=True)
    exit_reason = models.CharField(
        "motif de sortie", max_length=20, choices=ExitReason.choices, blank=True
    )
    exit_note = models.TextField("précisions sur la sortie", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="sortie enregistrée par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Past the retention period a closed episode is archived: read-only, out of the lists, still
    # in the person's data export (docs/decisions, retention). Never deleted.
    archived_at = models.DateTimeField("archivé le", null=True, blank=True)

    class Meta:
        verbose_name = "accompagnement"
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["dac", "status"], name="episode_dac_status"),
            models.Index(fields=["dac", "opened_on"], name="episode_dac_opened"),
            models.Index(fields=["dac", "closed_on"], name="episode_dac_closed"),
            models.Index(fields=["referent", "status"], name="episode_referent"),
            models.Index(fields=["case_manager", "status"], name="episode_case_manager"),
            models.Index(fields=["person", "opened_on"], name="episode_person"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} depuis le {self.opened_on:%d/%m/%Y}"

    def audit_person_id(self):
        return self.person_id

    @property
    def is_open(self) -> bool:
        return self.status == EpisodeStatus.OPEN


class Consent(PersonalDataModel, TimeStampedModel):
    """The person's answer to the accompaniment proposed (who informed them, how, when, answer).
    A new answer is a new row: the history of consent stays."""

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="consents")
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="informé·e par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    informed_how = models.CharField(
        "informé·e comment", max_length=20, choices=InformationChannel.choices
    )
    informed_on = models.DateField("informé·e le")
    answer = models.CharField("réponse", max_length=20, choices=ConsentAnswer.choices)
    given_by = models.CharField(
        "réponse donnée par",
        max_length=30,
        choices=ConsentGivenBy.choices,
        default=ConsentGivenBy.PERSON,
    )
    legal_representative = models.ForeignKey(
        Carer,
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

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "consentement à l'accompagnement"
        ordering = ["-informed_on", "-id"]

    def audit_person_id(self):
        return self.episode.person_id


class LevelChange(PersonalDataModel, TimeStampedModel):
    """The intensity level's history: each change with who, when and why (the first row is the
    level at inclusion). Urgent reassessments at 24 h and 48 h count from `changed_at`."""

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="level_changes")
    level = models.CharField("niveau", max_length=20, choices=IntensityLevel.choices)
    previous_level = models.CharField(
        "niveau précédent", max_length=20, choices=IntensityLevel.choices, blank=True
    )
    changed_at = models.DateTimeField("le", default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("motif", blank=True)

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "changement de niveau"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["episode", "changed_at"], name="levelchange_episode")]

    def audit_person_id(self):
        return self.episode.person_id


class CareSettings(models.Model):
    """Per-DAC settings of the follow-up (alert thresholds)."""

    dac = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="care_settings")
    no_contact_days = models.PositiveSmallIntegerField(
        "alerte « pas de contact » au-delà de (jours)", default=30
    )
    review_warning_days = models.PositiveSmallIntegerField(
        "alerte avant la date de révision du PPCS (jours)", default=15
    )
    reassessment_months = models.PositiveSmallIntegerField(
        "réévaluation au moins tous les (mois)", default=12
    )

    class Meta:
        verbose_name = "réglages du suivi"
        verbose_name_plural = "réglages du suivi"

    def __str__(self):
        return f"Réglages du suivi — {self.dac}"

    @classmethod
    def for_dac(cls, dac_id) -> "CareSettings":
        settings_row, _ = cls.objects.get_or_create(dac_id=dac_id)
        return settings_row
