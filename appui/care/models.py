"""Care episodes (accompaniment). A minimal record opened from a request; the care-plan work
extends it with consent, assessments, the PPCS and the exit."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from appui.core.models import PersonalDataModel, TimeStampedModel
from appui.intake.enums import IntensityLevel
from appui.intake.models import SupportRequest
from appui.persons.models import Person
from appui.territory.models import Organisation

from .enums import EpisodeKind, EpisodeStatus


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
    kind = models.CharField("type", max_length=20, choices=EpisodeKind.choices)
    status = models.CharField(
        "statut", max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    opened_on = models.DateField("inclusion le", default=timezone.localdate)
    level = models.CharField("niveau d'intensité", max_length=20, choices=IntensityLevel.choices)
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
    closed_on = models.DateField("sortie le", null=True, blank=True)

    class Meta:
        verbose_name = "accompagnement"
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["dac", "status"], name="episode_dac_status"),
            models.Index(fields=["referent", "status"], name="episode_referent"),
            models.Index(fields=["case_manager", "status"], name="episode_case_manager"),
            models.Index(fields=["person", "opened_on"], name="episode_person"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} depuis le {self.opened_on:%d/%m/%Y}"

    def audit_person_id(self):
        return self.person_id
