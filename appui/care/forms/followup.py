"""Forms of the follow-up tab. They only read input; the rules live in `care.followup`, whose
French refusals `add_errors` puts next to the field."""

from django import forms
from dsfr.forms import DsfrBaseForm

from appui.intake.forms_triage import (
    DATE_WIDGET,
    DATETIME_WIDGET,
    ContactForm,
    OrganisationChoiceField,
    UserChoiceField,
    add_errors,
    now_minute,
)

from ..enums import AdverseEventKind

__all__ = [
    "AdverseEventForm",
    "ContactForm",
    "CorrectiveActionForm",
    "DischargeForm",
    "DischargeTaskForm",
    "HospitalStayForm",
    "VisitCancelForm",
    "VisitPlanForm",
    "VisitReportForm",
    "add_errors",
]

TEXTAREA = {"rows": 3}


class VisitPlanForm(DsfrBaseForm):
    planned_at = forms.DateTimeField(label="Date et heure", widget=DATETIME_WIDGET)
    staff = UserChoiceField(label="Par", queryset=None, empty_label="Choisir")
    purpose = forms.CharField(
        label="Objet",
        max_length=255,
        help_text="Ex. : évaluation au domicile, point avec l'aidante, préparation du retour.",
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = team


class VisitReportForm(DsfrBaseForm):
    done_at = forms.DateTimeField(label="Faite le", widget=DATETIME_WIDGET, initial=now_minute)
    with_whom = forms.CharField(
        label="Avec qui",
        max_length=200,
        required=False,
        help_text="La personne, son entourage, les professionnels présents.",
    )
    outcome = forms.CharField(
        label="Compte rendu",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Ce qui a été vu, dit et décidé ; il est versé au journal des contacts.",
    )
    duration_minutes = forms.IntegerField(
        label="Durée (minutes)", required=False, min_value=1, max_value=24 * 60
    )


class VisitCancelForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de l'annulation",
        required=False,
        max_length=255,
        help_text="Ex. : la personne est hospitalisée, reportée à la semaine prochaine.",
    )


PLANNED_CHOICES = [
    ("no", "Non programmée (urgence, réhospitalisation…)"),
    ("yes", "Programmée"),
]


class HospitalStayForm(DsfrBaseForm):
    is_planned = forms.TypedChoiceField(
        label="Hospitalisation",
        choices=PLANNED_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )
    establishment = OrganisationChoiceField(
        label="Établissement du répertoire",
        required=False,
        help_text="Nom exact, FINESS ou SIRET.",
    )
    establishment_label = forms.CharField(
        label="Établissement (s'il n'est pas dans le répertoire)", required=False, max_length=200
    )
    service_label = forms.CharField(label="Service", required=False, max_length=200)
    admitted_on = forms.DateField(label="Entrée le", widget=DATE_WIDGET)
    planned_discharge_on = forms.DateField(
        label="Sortie prévue le", widget=DATE_WIDGET, required=False
    )
    reason = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs=TEXTAREA))
    record_adverse_event = forms.BooleanField(
        label="Enregistrer aussi l'événement indésirable « hospitalisation non programmée »",
        required=False,
        initial=True,
        help_text="Seulement pour une hospitalisation non programmée.",
    )
    adverse_description = forms.CharField(
        label="Description de l'événement",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Par défaut, le motif de l'hospitalisation.",
    )


class DischargeForm(DsfrBaseForm):
    planned_discharge_on = forms.DateField(
        label="Sortie prévue le", widget=DATE_WIDGET, required=False
    )
    discharged_on = forms.DateField(
        label="Sortie effective le",
        widget=DATE_WIDGET,
        required=False,
        help_text="À remplir une fois la personne sortie.",
    )


class DischargeTaskForm(DsfrBaseForm):
    description = forms.CharField(
        label="Action",
        max_length=255,
        help_text="Ex. : infirmière libérale prévenue, lit médicalisé livré, portage de repas.",
    )
    responsible_label = forms.CharField(label="Qui", required=False, max_length=200)
    due_on = forms.DateField(label="Pour le", widget=DATE_WIDGET, required=False)


class StayChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = str(obj.establishment) if obj.establishment_id else obj.establishment_label
        return f"{where} — entrée le {obj.admitted_on:%d/%m/%Y}"


class AdverseEventForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Type", choices=[("", "Choisir")] + AdverseEventKind.choices)
    occurred_on = forms.DateField(label="Survenu le", widget=DATE_WIDGET)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs=TEXTAREA))
    hospital_stay = StayChoiceField(
        label="Hospitalisation liée", queryset=None, required=False, empty_label="Aucune"
    )
    corrective_action = forms.CharField(
        label="Action corrective",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Ce qui est décidé pour que cela ne se reproduise pas.",
    )
    corrective_action_done_on = forms.DateField(
        label="Action corrective faite le", widget=DATE_WIDGET, required=False
    )

    def __init__(self, *args, stays, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital_stay"].queryset = stays


class CorrectiveActionForm(DsfrBaseForm):
    corrective_action = forms.CharField(
        label="Action corrective", widget=forms.Textarea(attrs=TEXTAREA)
    )
    corrective_action_done_on = forms.DateField(
        label="Faite le", widget=DATE_WIDGET, required=False
    )
