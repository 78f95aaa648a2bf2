"""Forms of the entry point: recording a request (staff), the partner's form, the queue filters,
the DAC's reasons and thresholds."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineCheckboxSelectMultiple, InlineRadioSelect

from appui.accounts.models import User
from appui.core.enums import DAC_STAFF_ROLES
from appui.core.forms import FilterForm
from appui.core.permissions import scope
from appui.persons.enums import Sex
from appui.persons.models import Person
from appui.territory.enums import OrganisationKind
from appui.territory.forms import CommuneChoiceField
from appui.territory.models import Organisation, Professional

from . import queue, services
from .enums import Answer, Channel, RequesterKind, RequestStatus, Urgency
from .models import IntakeSettings, RequestReason, SupportRequest

#: A few minutes of tolerance between the assistant's clock and the server's.
CLOCK_TOLERANCE = timedelta(minutes=5)

YES_NO = [(Answer.YES, "Oui"), (Answer.NO, "Non")]
YES_NO_UNKNOWN = [(Answer.YES, "Oui"), (Answer.NO, "Non"), (Answer.UNKNOWN, "Pas encore recueilli")]
GP_KNOWN = [(Answer.YES, "Oui"), (Answer.NO, "Non"), (Answer.UNKNOWN, "Ne sait pas")]
GP_MAY_BE_INFORMED = [(Answer.YES, "Oui"), (Answer.NO, "Non : la personne s'y oppose")]
#: Requesters found in the directory, and those described by name and contact.
DIRECTORY_KINDS = (RequesterKind.PROFESSIONAL, RequesterKind.ORGANISATION)


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


def _radio(label, choices, initial=None, help_text="", inline=True):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        initial=initial,
        help_text=help_text,
        widget=InlineRadioSelect if inline else forms.RadioSelect,
        error_messages={"required": "Choisissez une réponse."},
    )


def _reasons_field():
    return forms.ModelMultipleChoiceField(
        label="Motifs de la demande",
        queryset=RequestReason.objects.none(),
        widget=InlineCheckboxSelectMultiple,
        help_text="Un ou plusieurs.",
        error_messages={"required": "Indiquez au moins un motif."},
    )


def _gp_known():
    return _radio("La personne a-t-elle un médecin traitant connu ?", GP_KNOWN, Answer.UNKNOWN)


def _person_informed():
    return _radio("La personne est-elle informée de la demande ?", YES_NO_UNKNOWN, Answer.UNKNOWN)


def _person_agrees():
    return _radio(
        "La personne accepte-t-elle que le DAC s'en occupe ?", YES_NO_UNKNOWN, Answer.UNKNOWN
    )


def _gp_may_be_informed():
    return _radio(
        "Le médecin traitant peut-il être informé de la demande ?",
        GP_MAY_BE_INFORMED,
        Answer.YES,
        help_text="Il est informé, sauf si la personne s'y oppose.",
    )


def _urgency():
    return _radio("Urgence", Urgency.choices, Urgency.NORMAL)


class RequestForm(DsfrBaseForm, forms.ModelForm):
    """A request recorded by the DAC's staff, usually during the call."""

    person = forms.ModelChoiceField(
        label="Personne concernée",
        queryset=Person.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choisissez la personne concernée, ou créez-la si elle est nouvelle.",
            "invalid_choice": "Cette personne n'est pas dans les dossiers du DAC.",
        },
    )
    channel = _radio("Canal", Channel.choices, Channel.PHONE)
    received_at = forms.DateTimeField(
        label="Reçue le",
        initial=_now,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Indiquez la date et l'heure de réception.",
            "invalid": "Date et heure invalides.",
        },
    )
    requester_kind = _radio(
        "Qui fait la demande ?", RequesterKind.choices, RequesterKind.PROFESSIONAL, inline=False
    )
    requester_professional = forms.ModelChoiceField(
        queryset=Professional.objects.all(), widget=forms.HiddenInput, required=False
    )
    requester_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), widget=forms.HiddenInput, required=False
    )
    requester_name = forms.CharField(
        label="Nom du demandeur",
        required=False,
        max_length=200,
        help_text="La personne, le proche, ou l'interlocuteur au sein de la structure.",
    )
    requester_relationship = forms.CharField(
        label="Lien avec la personne",
        required=False,
        max_length=100,
        help_text="Ex. : fille, voisin, tuteur.",
    )
    requester_contact = forms.CharField(
        label="Coordonnées du demandeur",
        required=False,
        max_length=255,
        help_text="Téléphone, courriel… pour le rappeler.",
    )
    reasons = _reasons_field()
    description = forms.CharField(
        label="Situation, précisions",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Décrivez la situation en quelques mots."},
    )
    gp_known = _gp_known()
    person_informed = _person_informed()
    person_agrees = _person_agrees()
    gp_may_be_informed = _gp_may_be_informed()
    urgency = _urgency()

    class Meta:
        model = SupportRequest
        fields = [
            "person",
            "channel",
            "received_at",
            "urgency",
            "requester_kind",
            "requester_professional",
            "requester_organisation",
            "requester_name",
            "requester_relationship",
            "requester_contact",
            "gp_known",
            "description",
            "person_informed",
            "person_agrees",
            "gp_may_be_informed",
        ]

    def __init__(self, *args, membership, dac, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.dac = dac
        self.fields["person"].queryset = scope(
            membership, "person", "view", Person.objects.current()
        )
        self.fields["reasons"].queryset = RequestReason.objects.filter(dac=dac, is_active=True)

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now() + CLOCK_TOLERANCE:
            raise forms.ValidationError("La date de réception ne peut pas être dans le futur.")
        return received_at

    def clean(self):
        data = super().clean()
        kind = data.get("requester_kind")
        if kind == RequesterKind.PROFESSIONAL:
            data["requester_organisation"] = None
            if not data.get("requester_professional"):
                self.add_error(
                    "requester_professional",
                    "Choisissez le professionnel demandeur dans le répertoire (nom ou RPPS).",
                )
        elif kind == RequesterKind.ORGANISATION:
            data["requester_professional"] = None
            if not data.get("requester_organisation"):
                self.add_error(
                    "requester_organisation",
                    "Choisissez la structure demandeuse dans le répertoire.",
                )
        elif kind:
            data["requester_professional"] = data["requester_organisation"] = None
            if (
                kind == RequesterKind.PERSON
                and not data.get("requester_name")
                and data.get("person")
            ):
                data["requester_name"] = data["person"].display_name
            if not data.get("requester_name"):
                self.add_error("requester_name", "Indiquez le nom du demandeur.")
        return data


class PartnerDacForm(DsfrBaseForm):
    """Step 1 of the partner's form: where the person lives, hence which DAC receives it."""

    commune = CommuneChoiceField(
        label="Commune où vit la personne",
        help_text="Nom exact ou code Insee : la demande va au DAC qui couvre cette commune.",
        error_messages={"required": "Indiquez la commune où vit la personne."},
    )
    dac = forms.ModelChoiceField(
        label="DAC à solliciter",
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.DAC).order_by("name"),
        empty_label="Le DAC qui couvre la commune",
        help_text="À choisir seulement si aucun DAC ne couvre la commune.",
    )

    def clean(self):
        data = super().clean()
        commune = data.get("commune")
        if commune is None:
            return data
        covering = services.dacs_covering(commune)
        chosen = data.get("dac")
        if len(covering) == 1:
            data["dac"] = covering[0]
        elif covering and chosen not in covering:
            names = ", ".join(dac.name for dac in covering)
            self.add_error(
                "dac", f"Plusieurs DAC couvrent cette commune : choisissez parmi {names}."
            )
        elif not covering and chosen is None:
            self.add_error(
                "dac", "Aucun DAC ne couvre cette commune : choisissez le DAC à solliciter."
            )
        return data


class PartnerRequestForm(DsfrBaseForm, forms.Form):
    """Step 2 of the partner's form: the person described by their traits, and the request."""

    birth_name = forms.CharField(
        label="Nom de naissance",
        max_length=150,
        error_messages={"required": "Indiquez le nom de naissance de la personne."},
    )
    used_name = forms.CharField(label="Nom utilisé", required=False, max_length=150)
    first_name = forms.CharField(
        label="Prénom",
        max_length=100,
        error_messages={"required": "Indiquez le prénom de la personne."},
    )
    sex = _radio("Sexe", Sex.choices)
    birth_date = forms.DateField(
        label="Date de naissance",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Indiquez la date de naissance de la personne.",
            "invalid": "Date invalide.",
        },
    )
    phone = forms.CharField(label="Téléphone de la personne", required=False, max_length=30)
    reasons = _reasons_field()
    description = forms.CharField(
        label="Situation, ce que vous attendez du DAC",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Décrivez la situation en quelques mots."},
    )
    urgency = _urgency()
    gp_known = _gp_known()
    person_informed = _person_informed()
    person_agrees = _person_agrees()
    gp_may_be_informed = _gp_may_be_informed()
    requester_contact = forms.CharField(
        label="Comment vous joindre",
        max_length=255,
        help_text="Téléphone, messagerie sécurisée…",
        error_messages={"required": "Indiquez comment le DAC peut vous joindre."},
    )

    def __init__(self, *args, dac, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].queryset = RequestReason.objects.filter(dac=dac, is_active=True)

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise forms.ValidationError("La date de naissance ne peut pas être dans le futur.")
        return birth_date

    def build_request(self, *, user, membership, dac, commune) -> SupportRequest:
        """The request as the partner files it: requester = their professional record, else
        their structure; the person described, to be identified by the DAC."""
        data = self.cleaned_data
        professional = Professional.objects.filter(user=user).first()
        proposed = {
            "birth_name": data["birth_name"].strip(),
            "used_name": data["used_name"].strip(),
            "first_name": data["first_name"].strip(),
            "sex": data["sex"],
            "birth_date": data["birth_date"].isoformat(),
            "commune": commune.insee_code,
            "commune_name": commune.name,
            "phone": data["phone"].strip(),
        }
        return SupportRequest(
            dac=dac,
            channel=Channel.WEB_FORM,
            received_at=timezone.now(),
            requester_kind=RequesterKind.PROFESSIONAL
            if professional
            else RequesterKind.ORGANISATION,
            requester_professional=professional,
            requester_organisation=None if professional else membership.organisation,
            requester_name=user.get_full_name() or user.email,
            requester_contact=data["requester_contact"].strip(),
            submitted_by=user,
            proposed_person=proposed,
            description=data["description"],
            urgency=data["urgency"],
            gp_known=data["gp_known"],
            person_informed=data["person_informed"],
            person_agrees=data["person_agrees"],
            gp_may_be_informed=data["gp_may_be_informed"],
        )


class QueueFilterForm(FilterForm):
    status = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    assignee = forms.ChoiceField(label="Attribuée à", required=False)
    urgency = forms.ChoiceField(
        label="Urgence", required=False, choices=[("", "Toutes")] + Urgency.choices
    )
    age = forms.ChoiceField(
        label="Ancienneté",
        required=False,
        choices=[("", "Toutes")] + [(k, label) for k, (label, _) in queue.AGES.items()],
    )
    origin = forms.ChoiceField(
        label="Origine (demandeur)",
        required=False,
        choices=[("", "Toutes")] + RequesterKind.choices,
    )
    overdue = forms.BooleanField(label="En retard seulement", required=False)
    sort = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=[(k, label) for k, (label, _) in queue.SORTS.items()],
    )

    def __init__(self, *args, dac, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(queue.OPEN, "À traiter"), (queue.ALL, "Toutes")] + list(
            RequestStatus.choices
        )
        staff = (
            User.objects.filter(
                memberships__organisation=dac,
                memberships__is_active=True,
                memberships__role__in=DAC_STAFF_ROLES,
            )
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["assignee"].choices = [
            ("", "Tout le monde"),
            (queue.MINE, "Mes demandes"),
            (queue.UNASSIGNED, "Non attribuée"),
        ] + [(str(user.pk), user.get_full_name() or user.email) for user in staff]

    def filters(self) -> queue.QueueFilters:
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return queue.QueueFilters(
            status=data.get("status", queue.OPEN),
            assignee=data.get("assignee", ""),
            urgency=data.get("urgency", ""),
            age=data.get("age", ""),
            origin=data.get("origin", ""),
            overdue=bool(data.get("overdue")),
            sort=data.get("sort", queue.DEFAULT_SORT),
        )


class ReasonForm(DsfrBaseForm, forms.Form):
    label = forms.CharField(
        label="Libellé du motif",
        max_length=150,
        error_messages={"required": "Indiquez le libellé du motif."},
    )

    def __init__(self, *args, dac, reason=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dac, self.reason = dac, reason

    def clean_label(self):
        label = " ".join(self.cleaned_data["label"].split())
        clash = RequestReason.objects.filter(dac=self.dac, label__iexact=label)
        if self.reason is not None:
            clash = clash.exclude(pk=self.reason.pk)
        if clash.exists():
            raise forms.ValidationError("Ce motif existe déjà dans le catalogue du DAC.")
        return label


class ThresholdsForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = IntakeSettings
        fields = ["urgent_answer_days", "normal_answer_days"]
        help_texts = {
            "urgent_answer_days": "En jours ouvrés. 0 = le jour même.",
            "normal_answer_days": "En jours ouvrés (hors samedis, dimanches et jours fériés).",
        }

    def clean(self):
        data = super().clean()
        for name in self.Meta.fields:
            value = data.get(name)
            if value is not None and value > 30:
                self.add_error(
                    name, "Un délai de plus de 30 jours ouvrés n'est pas un délai d'accueil."
                )
        return data
