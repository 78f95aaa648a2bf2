"""Forms of the episode (dossier de coordination): opening, consent, médecin traitant, level,
staff, exit, reopening. They only read input; the rules live in `care.services`, whose French
refusals `add_errors` puts next to the field."""

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from appui.intake.enums import IntensityLevel
from appui.intake.forms_triage import DATE_WIDGET, DATETIME_WIDGET, UserChoiceField, now_minute

from ..enums import (
    ConsentAnswer,
    ConsentGivenBy,
    EpisodeKind,
    ExitReason,
    InformationChannel,
)

LEVEL_CHOICES = [("", "Choisir")] + IntensityLevel.choices


def required(message: str) -> dict:
    return {"required": message}


class RepresentativeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        measure = f", {obj.get_legal_measure_display().lower()}" if obj.legal_measure else ""
        return f"{obj} ({obj.get_relationship_display().lower()}{measure})"


class StaffFields(DsfrBaseForm):
    """The référent·e and the case manager, chosen among the DAC's team."""

    referent = UserChoiceField(
        label="Référent·e",
        queryset=None,
        empty_label="Choisir",
        error_messages=required("Choisissez le ou la référent·e de l'accompagnement."),
    )
    case_manager = UserChoiceField(
        label="Gestionnaire de cas",
        required=False,
        queryset=None,
        empty_label="Aucun·e (accompagnement en coordination renforcée)",
    )

    def __init__(self, *args, referents, case_managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = referents
        self.fields["case_manager"].queryset = case_managers


class OpenEpisodeForm(StaffFields):
    kind = forms.ChoiceField(
        label="Type d'accompagnement",
        choices=EpisodeKind.choices,
        widget=forms.RadioSelect,
        initial=EpisodeKind.COORDINATION,
    )
    level = forms.ChoiceField(
        label="Niveau d'intensité",
        choices=LEVEL_CHOICES,
        error_messages=required("Choisissez le niveau d'intensité."),
    )
    opening_reason = forms.CharField(
        label="Motif de l'ouverture",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pourquoi l'accompagnement s'ouvre sans demande d'appui (situation repérée en "
        "visite, en concertation, signalée par un partenaire…).",
        error_messages=required("Indiquez le motif de l'ouverture de l'accompagnement."),
    )
    opened_on = forms.DateField(
        label="Date d'inclusion", widget=DATE_WIDGET, initial=timezone.localdate
    )
    field_order = ["kind", "level", "referent", "case_manager", "opening_reason", "opened_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].empty_label = "Choisir"
        self.fields["case_manager"].help_text = "Obligatoire pour une gestion de cas seulement."


class ConsentForm(DsfrBaseForm):
    answer = forms.ChoiceField(
        label="Réponse",
        choices=ConsentAnswer.choices,
        widget=forms.RadioSelect,
        error_messages=required("Indiquez la réponse de la personne."),
        help_text="Un refus clôt l'accompagnement, avec le motif de sortie « refus de la "
        "personne ».",
    )
    informed_on = forms.DateField(
        label="Date de l'information", widget=DATE_WIDGET, initial=timezone.localdate
    )
    informed_how = forms.ChoiceField(
        label="Comment la personne a-t-elle été informée ?",
        choices=[("", "Choisir")] + InformationChannel.choices,
        error_messages=required("Indiquez comment la personne a été informée."),
    )
    informed_by = UserChoiceField(label="Informée par", queryset=None, empty_label="Choisir")
    given_by = forms.ChoiceField(
        label="Réponse donnée par",
        choices=ConsentGivenBy.choices,
        widget=forms.RadioSelect,
        initial=ConsentGivenBy.PERSON,
    )
    legal_representative = RepresentativeChoiceField(
        label="Représentant légal", required=False, queryset=None, empty_label="Choisir"
    )
    note = forms.CharField(
        label="Précisions", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, team, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informed_by"].queryset = team
        self.fields["legal_representative"].queryset = representatives


class GpForm(DsfrBaseForm):
    INFORMED, NOT_INFORMED = "yes", "no"

    informed = forms.ChoiceField(
        label="Le médecin traitant a-t-il été informé de l'accompagnement ?",
        choices=[(INFORMED, "Oui"), (NOT_INFORMED, "Non")],
        widget=forms.RadioSelect,
        initial=INFORMED,
    )
    informed_on = forms.DateField(
        label="Informé le", required=False, widget=DATE_WIDGET, initial=timezone.localdate
    )
    how = forms.ChoiceField(
        label="Comment ?", required=False, choices=[("", "Choisir")] + InformationChannel.choices
    )
    reason = forms.CharField(
        label="Pourquoi n'a-t-il pas été informé ?",
        required=False,
        max_length=255,
        help_text="Ex. : pas de médecin traitant, la personne s'y oppose.",
    )

    @property
    def is_informed(self) -> bool:
        return self.cleaned_data.get("informed") == self.INFORMED


class LevelForm(DsfrBaseForm):
    level = forms.ChoiceField(
        label="Nouveau niveau d'intensité",
        choices=LEVEL_CHOICES,
        error_messages=required("Choisissez le nouveau niveau d'intensité."),
    )
    reason = forms.CharField(
        label="Motif du changement",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=required("Indiquez le motif du changement de niveau."),
    )
    at = forms.DateTimeField(label="Depuis le", widget=DATETIME_WIDGET, initial=now_minute)


class StaffForm(StaffFields):
    """The référent·e and the case manager of an open episode."""


class CloseForm(DsfrBaseForm):
    exit_reason = forms.ChoiceField(
        label="Motif de sortie",
        choices=[("", "Choisir")] + ExitReason.choices,
        error_messages=required("Choisissez le motif de sortie."),
    )
    closed_on = forms.DateField(
        label="Date de sortie",
        widget=DATE_WIDGET,
        initial=timezone.localdate,
        help_text="Pour un décès, la date du décès : elle est aussi portée au dossier de la "
        "personne.",
    )
    note = forms.CharField(
        label="Précisions sur la sortie",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ex. : structure qui prend le relais, établissement d'accueil.",
    )


class ReopenForm(StaffFields):
    reason = forms.CharField(
        label="Motif de la réouverture",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=required("Indiquez le motif de la réouverture."),
    )
    level = forms.ChoiceField(
        label="Niveau d'intensité",
        choices=LEVEL_CHOICES,
        error_messages=required("Choisissez le niveau d'intensité."),
    )
    field_order = ["reason", "level", "referent", "case_manager"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "case_manager"
        ].help_text = (
            "Un·e gestionnaire de cas fait de l'accompagnement rouvert une gestion de cas."
        )
