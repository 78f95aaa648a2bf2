"""Demandes d'appui: the single entry point, triage (screening, responses), contacts, GP letters."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from appui.core.models import PersonalDataModel, SoftDeleteModel, TimeStampedModel
from appui.directory.models import Service, UnmetNeed
from appui.persons.models import Person
from appui.territory.models import Organisation, Professional

from .enums import (
    Answer,
    Channel,
    ContactKind,
    GpInformationChannel,
    IntensityLevel,
    RequesterKind,
    RequestStatus,
    ResponseType,
    Urgency,
)


class IntakeSettings(models.Model):
    """Per-DAC settings of the entry point: first-answer thresholds in working days."""

    dac = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="intake_settings"
    )
    urgent_answer_days = models.PositiveSmallIntegerField(
        "délai de première réponse, demande urgente (jours ouvrés)",
        default=0,
        help_text="0 = le jour même.",
    )
    normal_answer_days = models.PositiveSmallIntegerField(
        "délai de première réponse, autre demande (jours ouvrés)", default=2
    )
    last_number = models.PositiveIntegerField("dernier numéro attribué", default=0)
    number_year = models.PositiveSmallIntegerField("année de numérotation", default=0)

    class Meta:
        verbose_name = "réglages de l'accueil"
        verbose_name_plural = "réglages de l'accueil"

    def __str__(self):
        return f"Réglages de l'accueil — {self.dac}"


class RequestReason(TimeStampedModel):
    """A reason in the DAC's own catalogue (maintien à domicile difficile, isolement…)."""

    dac = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="request_reasons")
    label = models.CharField("libellé", max_length=150)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("proposé", default=True)

    class Meta:
        verbose_name = "motif de demande"
        verbose_name_plural = "motifs de demande"
        ordering = ["position", "label"]
        constraints = [models.UniqueConstraint(fields=["dac", "label"], name="unique_reason_label")]

    def __str__(self):
        return self.label


class SupportRequest(PersonalDataModel, TimeStampedModel, SoftDeleteModel):
    """A demande d'appui: who asked, about whom, why, how urgent — and what the DAC answered."""

    dac = models.ForeignKey(
        Organisation, verbose_name="DAC", on_delete=models.PROTECT, related_name="support_requests"
    )
    number = models.CharField("numéro", max_length=20)
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField("reçue le", default=timezone.now)
    # Requester: a professional or a structure of the directory, the person, a carer, other.
    requester_kind = models.CharField("demandeur", max_length=20, choices=RequesterKind.choices)
    requester_professional = models.ForeignKey(
        Professional,
        verbose_name="professionnel·le demandeur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    requester_organisation = models.ForeignKey(
        Organisation,
        verbose_name="structure demandeuse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests_sent",
    )
    requester_name = models.CharField("nom du demandeur", max_length=200, blank=True)
    requester_relationship = models.CharField("lien avec la personne", max_length=100, blank=True)
    requester_contact = models.CharField(
        "coordonnées du demandeur", max_length=255, blank=True, help_text="Téléphone, courriel…"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposée en ligne par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submitted_requests",
    )
    # The person concerned. A request filed online by a partner describes the person in
    # `proposed_person` until the DAC identifies them (found or created, duplicates checked).
    person = models.ForeignKey(
        Person,
        verbose_name="personne concernée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    proposed_person = models.JSONField(
        "personne décrite par le demandeur", default=dict, blank=True
    )
    gp_known = models.CharField(
        "médecin traitant connu", max_length=10, choices=Answer.choices, default=Answer.UNKNOWN
    )
    reasons = models.ManyToManyField(RequestReason, verbose_name="motifs", blank=True)
    description = models.TextField("situation, précisions")
    urgency = models.CharField(
        "urgence", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    person_informed = models.CharField(
        "la personne est informée de la demande",
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    person_agrees = models.CharField(
        "la personne accepte que le DAC s'en occupe",
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    person_agreement_on = models.DateField("accord recueilli le", null=True, blank=True)
    person_agreement_how = models.CharField("accord recueilli comment", max_length=200, blank=True)
    gp_may_be_informed = models.CharField(
        "le médecin traitant peut être informé",
        max_length=10,
        choices=Answer.choices,
        default=Answer.YES,
        help_text="« Non » si la personne s'y oppose.",
    )
    # Triage.
    status = models.CharField(
        "statut", max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="attribuée à",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    level = models.CharField(
        "niveau d'intensité retenu", max_length=20, choices=IntensityLevel.choices, blank=True
    )
    answer_due_at = models.DateTimeField("première réponse attendue avant", null=True, blank=True)
    first_answered_at = models.DateTimeField("première réponse le", null=True, blank=True)
    first_answer_delay_days = models.PositiveSmallIntegerField(
        "délai de première réponse (jours ouvrés)", null=True, blank=True
    )
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)
    closing_note = models.TextField("motif de clôture", blank=True)

    class Meta:
        verbose_name = "demande d'appui"
        verbose_name_plural = "demandes d'appui"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dac", "number"], name="unique_request_number")
        ]
        indexes = [
            models.Index(fields=["dac", "status", "received_at"], name="request_dac_status"),
            models.Index(fields=["dac", "assigned_to", "status"], name="request_dac_assignee"),
            models.Index(fields=["dac", "urgency", "status"], name="request_dac_urgency"),
            models.Index(fields=["dac", "requester_kind"], name="request_dac_origin"),
            models.Index(fields=["dac", "answer_due_at"], name="request_dac_due"),
            models.Index(fields=["dac", "received_at"], name="request_dac_received"),
            models.Index(fields=["submitted_by", "received_at"], name="request_submitter"),
            models.Index(fields=["person", "received_at"], name="request_person"),
            # Indicators: delays ending in a period (first answer given).
            models.Index(fields=["dac", "first_answered_at"], name="request_dac_answered"),
        ]

    def __str__(self):
        return f"Demande {self.number}"

    def audit_person_id(self):
        return self.person_id

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.NEW, RequestStatus.IN_ANALYSIS)

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.first_answered_at is None
            and self.answer_due_at
            and self.answer_due_at < timezone.now()
            and self.status not in (RequestStatus.CLOSED, RequestStatus.REFUSED)
        )

    @property
    def requester_label(self) -> str:
        if self.requester_professional_id:
            return str(self.requester_professional)
        if self.requester_organisation_id:
            return str(self.requester_organisation)
        return self.requester_name or self.get_requester_kind_display()


class ComplexityScreening(PersonalDataModel, TimeStampedModel):
    """The complexity screening grid (PRODUCT §5) filled at triage; suggests an intensity level."""

    request = models.ForeignKey(
        SupportRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="screenings")
    criteria = models.JSONField("critères présents", default=list, blank=True)
    several_categories = models.BooleanField(
        "plusieurs catégories de professionnels nécessaires", default=False
    )
    justification = models.TextField("justification", blank=True)
    is_positive = models.BooleanField("situation complexe", default=False)
    suggested_level = models.CharField(
        "niveau suggéré", max_length=20, choices=IntensityLevel.choices
    )
    suggestion_reasons = models.JSONField("raisons de la suggestion", default=list, blank=True)
    screened_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "repérage de la complexité"
        verbose_name_plural = "repérages de la complexité"
        ordering = ["-screened_at", "-id"]

    def __str__(self):
        return f"Repérage du {self.screened_at:%d/%m/%Y}"

    def audit_person_id(self):
        return self.person_id


class RequestResponse(PersonalDataModel, TimeStampedModel):
    """One answer given to a request (a request may get several: information + orientation)."""

    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="responses")
    response_type = models.CharField("réponse", max_length=30, choices=ResponseType.choices)
    given_at = models.DateTimeField("le", default=timezone.now)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField("réponse apportée")
    services = models.ManyToManyField(
        Service, verbose_name="ressources proposées", blank=True, related_name="request_responses"
    )
    unmet_needs = models.ManyToManyField(
        UnmetNeed,
        verbose_name="besoins non couverts",
        blank=True,
        related_name="request_responses",
    )
    referral_organisation = models.ForeignKey(
        Organisation,
        verbose_name="structure vers laquelle la demande est réorientée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    referral_accepted = models.BooleanField("réorientation acceptée", null=True, blank=True)
    referral_decided_on = models.DateField("réponse de la structure le", null=True, blank=True)

    class Meta:
        verbose_name = "réponse à une demande"
        verbose_name_plural = "réponses aux demandes"
        ordering = ["given_at", "id"]
        indexes = [models.Index(fields=["response_type", "given_at"], name="response_type")]

    def __str__(self):
        return self.get_response_type_display()

    audit_person_lookup = "request__person"

    def audit_person_id(self):
        return self.request.person_id if self.request_id else None


class ContactLog(PersonalDataModel, TimeStampedModel):
    """A call, visit or message about a request or a person (the daily contact record)."""

    dac = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        SupportRequest,
        verbose_name="demande",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    person = models.ForeignKey(
        Person,
        verbose_name="personne",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    kind = models.CharField("type", max_length=20, choices=ContactKind.choices)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    with_whom = models.CharField("avec qui", max_length=200)
    with_professional = models.ForeignKey(
        Professional,
        verbose_name="professionnel·le du répertoire",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField("objet", max_length=255)
    outcome = models.TextField("suite donnée", blank=True)
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)

    class Meta:
        verbose_name = "contact"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["request", "at"], name="contact_request"),
            models.Index(fields=["person", "at"], name="contact_person"),
            models.Index(fields=["dac", "by", "at"], name="contact_dac_by"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.at:%d/%m/%Y %H:%M}"

    def audit_person_id(self):
        return self.person_id


class GpInformation(PersonalDataModel, TimeStampedModel):
    """The "Information au médecin traitant" letter about a request, and its sending."""

    request = models.ForeignKey(
        SupportRequest, on_delete=models.PROTECT, related_name="gp_informations"
    )
    gp = models.ForeignKey(
        Professional, verbose_name="médecin traitant", on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField("message")
    channel = models.CharField(
        "canal", max_length=20, choices=GpInformationChannel.choices, blank=True
    )
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyé par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "information au médecin traitant"
        verbose_name_plural = "informations au médecin traitant"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Information au médecin traitant — {self.request}"

    audit_person_lookup = "request__person"

    def audit_person_id(self):
        return self.request.person_id if self.request_id else None
