"""Forms of the concertation meetings: the meeting, a participant, a situation discussed. They only
read input; the rules live in `care.meetings`."""

from django import forms
from dsfr.forms import DsfrBaseForm

from appui.core.forms import FilterForm
from appui.intake.forms_triage import DATETIME_WIDGET, UserChoiceField


class MeetingForm(DsfrBaseForm):
    held_at = forms.DateTimeField(
        label="Date et heure",
        widget=DATETIME_WIDGET,
        error_messages={"required": "Indiquez la date et l'heure de la concertation."},
    )
    title = forms.CharField(
        label="Objet",
        max_length=200,
        help_text="Ex. : concertation pluriprofessionnelle, situation de M. X au domicile.",
        error_messages={"required": "Indiquez l'objet de la concertation."},
    )
    place = forms.CharField(
        label="Lieu",
        max_length=200,
        required=False,
        help_text="Ex. : au domicile de la personne, au cabinet médical, en visioconférence.",
    )
    minutes = forms.CharField(
        label="Compte rendu général",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Ce qui vaut pour toute la réunion. Les éléments propres à chaque personne "
        "s'écrivent dans sa situation : ils sont les seuls imprimés pour elle.",
    )


class ProfessionalRadioField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        places = [
            place.organisation.name
            for place in obj.practice_places.all()
            if place.organisation_id is not None
        ]
        parts = [obj.display_name, obj.get_profession_display(), obj.specialty, *places[:1]]
        return " — ".join(dict.fromkeys(part for part in parts if part))


class CarerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} — {obj.get_relationship_display().lower()} de {obj.person.display_name}"


class ParticipantForm(FilterForm):
    """Which fields are needed depends on the kind of participant (the service says which are
    missing): no field is marked "(Optionnel)" (see FilterForm)."""

    STAFF, PROFESSIONAL, CARER, OTHER = "staff", "professional", "carer", "other"

    kind = forms.ChoiceField(
        label="Participant·e",
        choices=[
            (STAFF, "Un membre de l'équipe du DAC"),
            (PROFESSIONAL, "Un·e professionnel·le du répertoire"),
            (CARER, "Un proche d'une personne dont la situation est discutée"),
            (OTHER, "Une autre personne"),
        ],
        widget=forms.RadioSelect,
        initial=PROFESSIONAL,
    )
    user = UserChoiceField(label="Membre de l'équipe", required=False, queryset=None)
    q = forms.CharField(
        label="Chercher dans le répertoire",
        required=False,
        help_text="Nom, prénom ou numéro RPPS.",
    )
    professional = ProfessionalRadioField(
        label="Professionnel·le",
        required=False,
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    carer = CarerChoiceField(label="Proche", required=False, queryset=None)
    name = forms.CharField(
        label="Nom de la personne ou de la structure",
        required=False,
        max_length=200,
        help_text="Une personne ou une structure absente du répertoire.",
    )
    role = forms.CharField(
        label="Rôle dans la situation",
        required=False,
        max_length=200,
        help_text="Ex. : infirmière libérale, infirmière coordinatrice du SSIAD, médecin traitant.",
    )
    attended = forms.BooleanField(label="Présent·e", required=False, initial=True)

    def __init__(self, *args, staff, professionals, carers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff
        self.fields["professional"].queryset = professionals
        self.fields["carer"].queryset = carers

    def participant(self) -> dict:
        """The service's arguments: only the chosen kind's person, with the role and presence."""
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "user": data["user"] if kind == self.STAFF else None,
            "professional": data["professional"] if kind == self.PROFESSIONAL else None,
            "carer": data["carer"] if kind == self.CARER else None,
            "name": data["name"] if kind == self.OTHER else "",
            "role": data["role"],
            "attended": data["attended"],
        }


class EpisodeRadioField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        referent = f", référent·e {obj.referent.get_full_name()}" if obj.referent_id else ""
        return (
            f"{obj.person.display_name}, né·e le {obj.person.birth_date:%d/%m/%Y} — "
            f"{obj.get_kind_display().lower()} depuis le {obj.opened_on:%d/%m/%Y}{referent}"
        )


class SituationFields(DsfrBaseForm):
    discussion = forms.CharField(
        label="Éléments discutés",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    decisions = forms.CharField(
        label="Décisions pour le PPCS",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Qui fait quoi et quand : elles sont reprises dans le PPCS de la personne.",
    )


class SituationForm(SituationFields):
    q = forms.CharField(
        label="Chercher une personne accompagnée",
        required=False,
        help_text="Nom, prénom, date ou année de naissance. Seuls les accompagnements en cours "
        "peuvent être discutés.",
    )
    episode = EpisodeRadioField(
        label="Situation",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choisissez la situation discutée."},
    )
    field_order = ["q", "episode", "discussion", "decisions"]

    def __init__(self, *args, episodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].queryset = episodes
