"""Alerts: something due, overdue, or that did not happen (alerte sur les non-événements).
Computed by `care.alerts.compute_alerts` (command `compute_alerts`, periodic task); an alert is
raised once per cause (`key`), can be acknowledged with a comment, and is resolved when its
cause is fixed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from appui.core.models import PersonalDataModel, TimeStampedModel
from appui.territory.models import Organisation

from ..enums import AlertKind, AlertStatus
from .episode import CareEpisode


class Alert(PersonalDataModel, TimeStampedModel):
    dac = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField("type", max_length=30, choices=AlertKind.choices)
    # One open alert per cause: e.g. "action_overdue:<action id>", "urgent_24h:<level change id>".
    key = models.CharField("cause", max_length=100)
    message = models.CharField("message", max_length=255)
    due_on = models.DateField("échéance", null=True, blank=True)
    raised_at = models.DateTimeField("levée le", default=timezone.now)
    status = models.CharField(
        "statut", max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    acknowledged_at = models.DateTimeField("prise en compte le", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField("commentaire", blank=True)
    resolved_at = models.DateTimeField("résolue le", null=True, blank=True)

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "alerte"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(status="resolved"),
                name="alert_one_live_per_cause",
            )
        ]
        indexes = [
            models.Index(fields=["dac", "status"], name="alert_dac_status"),
            models.Index(fields=["episode", "status"], name="alert_episode_status"),
        ]

    def __str__(self):
        return self.message

    def audit_person_id(self):
        return self.episode.person_id
