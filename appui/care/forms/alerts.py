"""Forms of the alerts: acknowledgement, the list's filters, the DAC's thresholds."""

from django import forms
from dsfr.forms import DsfrBaseForm

from appui.core.forms import FilterForm

from ..alerts import KIND_LABELS
from ..enums import AlertStatus
from ..models import CareSettings

MINE, ALL = "mine", "all"
LIVE = "live"


class AcknowledgeForm(DsfrBaseForm):
    comment = forms.CharField(
        label="Ce qui est fait ou prévu",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ex. : appel à l'infirmière prévu demain, dossier APA envoyé ce jour.",
    )


class AlertFilterForm(FilterForm):
    whose = forms.ChoiceField(
        label="Accompagnements",
        required=False,
        choices=[(MINE, "Ceux que je suis"), (ALL, "Tous ceux du DAC")],
    )
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Tous")] + list(KIND_LABELS.items())
    )
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[
            (LIVE, "En cours (à traiter ou prises en compte)"),
            (AlertStatus.OPEN, "À traiter"),
            (AlertStatus.ACKNOWLEDGED, "Prises en compte"),
            (AlertStatus.RESOLVED, "Levées (cause disparue)"),
        ],
    )

    def __init__(self, *args, default_whose=MINE, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_whose = default_whose
        self.fields["whose"].initial = default_whose

    def filters(self) -> dict:
        """The chosen filters; by default the live alerts of the episodes the user follows (or
        of the whole DAC for whoever follows none: direction, assistants, physicians)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "whose": data.get("whose") or self.default_whose,
            "kind": data.get("kind") or "",
            "status": data.get("status") or LIVE,
        }


class CareSettingsForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = CareSettings
        fields = ["no_contact_days", "review_warning_days", "reassessment_months"]
        labels = {
            "no_contact_days": "Pas de contact depuis (jours)",
            "review_warning_days": "Révision du PPCS à venir dans (jours)",
            "reassessment_months": "Réévaluation au moins tous les (mois)",
        }
        help_texts = {
            "no_contact_days": "Alerte quand le journal des contacts d'une personne accompagnée "
            "est vide depuis ce nombre de jours (entre 1 et 365).",
            "review_warning_days": "Alerte avant la date de révision du PPCS en vigueur "
            "(entre 1 et 90).",
            "reassessment_months": "Alerte quand aucune évaluation n'a été terminée depuis ce "
            "nombre de mois (entre 1 et 36).",
        }
