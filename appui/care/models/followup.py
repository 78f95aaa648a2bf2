"""Follow-up: planned home visits, hospital stays (with discharge preparation), adverse events.
Calls and visits done are recorded in the intake's contact log (`ContactLog` with the person)."""

from django.conf import settings
from django.db import models

from appui.core.models import PersonalDataModel, TimeStampedModel
from appui.intake.models import ContactLog
from appui.territory.models import Organisation

from ..enums import AdverseEventKind, VisitStatus
from .episode import CareEpisode


class HomeVisit(PersonalDataModel, TimeStampedModel):
    """A home visit planned by DAC staff; once done, its report is a contact-log entry."""

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="home_visits")
    planned_at = models.DateTimeField("prévue le")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("objet", max_length=255)
    status = models.CharField(
        "statut", max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    contact = models.OneToOneField(
        ContactLog,
        verbose_name="compte rendu",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_visit",
    )

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "visite à domicile"
        verbose_name_plural = "visites à domicile"
        ordering = ["planned_at", "id"]
        indexes = [models.Index(fields=["staff", "planned_at"], name="homevisit_staff_planned")]

    def audit_person_id(self):
        return self.episode.person_id


class HospitalStay(PersonalDataModel, TimeStampedModel):
    """A hospital stay: admission, planned discharge, discharge."""

    episode = models.ForeignKey(
        CareEpisode, on_delete=models.PROTECT, related_name="hospital_stays"
    )
    establishment = models.ForeignKey(
        Organisation,
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    establishment_label = models.CharField("établissement (autre)", max_length=200, blank=True)
    service_label = models.CharField("service", max_length=200, blank=True)
    is_planned = models.BooleanField("programmée", default=False)
    reason = models.TextField("motif", blank=True)
    admitted_on = models.DateField("entrée le")
    planned_discharge_on = models.DateField("sortie prévue le", null=True, blank=True)
    discharged_on = models.DateField("sortie le", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "hospitalisation"
        ordering = ["-admitted_on", "-id"]

    def audit_person_id(self):
        return self.episode.person_id


class DischargeTask(PersonalDataModel, TimeStampedModel):
    """A discharge preparation action (home nursing ready, equipment, meals…)."""

    stay = models.ForeignKey(HospitalStay, on_delete=models.PROTECT, related_name="tasks")
    description = models.CharField("action", max_length=255)
    responsible_label = models.CharField("qui", max_length=200, blank=True)
    due_on = models.DateField("pour le", null=True, blank=True)
    done_on = models.DateField("faite le", null=True, blank=True)

    audit_person_lookup = "stay__episode__person"

    class Meta:
        verbose_name = "préparation de la sortie"
        ordering = ["due_on", "id"]

    def audit_person_id(self):
        return self.stay.episode.person_id


class AdverseEvent(PersonalDataModel, TimeStampedModel):
    """An adverse event in the pathway, with the corrective action decided."""

    episode = models.ForeignKey(
        CareEpisode, on_delete=models.PROTECT, related_name="adverse_events"
    )
    kind = models.CharField("type", max_length=30, choices=AdverseEventKind.choices)
    occurred_on = models.DateField("survenu le")
    description = models.TextField("description")
    hospital_stay = models.ForeignKey(
        HospitalStay, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrective_action = models.TextField("action corrective", blank=True)
    corrective_action_done_on = models.DateField(
        "action corrective faite le", null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    audit_person_lookup = "episode__person"

    class Meta:
        verbose_name = "événement indésirable"
        verbose_name_plural = "événements indésirables"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["kind", "occurred_on"], name="adverse_kind_occurred")]

    def audit_person_id(self):
        return self.episode.person_id
