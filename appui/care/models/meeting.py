"""Concertation meetings (réunion de concertation pluriprofessionnelle): who took part, which
situations were discussed, and the decisions that feed each person's PPCS."""

from django.conf import settings
from django.db import models

from appui.core.models import PersonalDataModel, TimeStampedModel
from appui.persons.models import Carer
from appui.territory.models import Organisation, Professional

from .episode import CareEpisode


class Meeting(TimeStampedModel):
    """A concertation meeting of the DAC (it may discuss several situations)."""

    dac = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meetings")
    held_at = models.DateTimeField("le")
    place = models.CharField("lieu", max_length=200, blank=True)
    title = models.CharField("objet", max_length=200)
    minutes = models.TextField("compte rendu", blank=True)
    organised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="organisée par",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "réunion de concertation"
        verbose_name_plural = "réunions de concertation"
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["dac", "held_at"], name="meeting_dac_held")]

    def __str__(self):
        return f"{self.title} — {self.held_at:%d/%m/%Y}"


class MeetingParticipant(TimeStampedModel):
    """A participant: DAC staff, a professional of the directory, a carer, or someone named."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    professional = models.ForeignKey(
        Professional, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    carer = models.ForeignKey(
        Carer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("nom", max_length=200, blank=True)
    role = models.CharField("rôle dans la situation", max_length=200, blank=True)
    attended = models.BooleanField("présent·e", default=True)

    class Meta:
        verbose_name = "participant·e"
        ordering = ["id"]

    def __str__(self):
        return self.name or str(self.user or self.professional or self.carer)


class MeetingSituation(PersonalDataModel, TimeStampedModel):
    """A person's situation discussed in a meeting, and the decisions taken for their PPCS."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="situations")
    episode = models.ForeignKey(
        CareEpisode, on_delete=models.PROTECT, related_name="meeting_situations"
    )
    discussion = models.TextField("éléments discutés", blank=True)
    decisions = models.TextField("décisions pour le PPCS", blank=True)

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "situation discutée"
        verbose_name_plural = "situations discutées"
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "episode"], name="meeting_situation_once")
        ]

    def audit_person_id(self):
        return self.episode.person_id
