from django import forms

from appui.core.forms import FilterForm
from appui.intake.enums import IntensityLevel

from ..enums import EpisodeKind, EpisodeStatus


class EpisodeFilterForm(FilterForm):
    q = forms.CharField(label="Nom de la personne", required=False)
    mine = forms.BooleanField(label="Seulement les personnes que je suis", required=False)
    level = forms.ChoiceField(
        label="Niveau d'intensité", required=False, choices=[("", "Tous")] + IntensityLevel.choices
    )
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Tous")] + EpisodeKind.choices
    )
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("open", "En cours"), ("closed", "Clôturés"), ("all", "Tous")],
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or EpisodeStatus.OPEN
        return {
            "query": (data.get("q") or "").strip(),
            "mine": bool(data.get("mine")),
            "level": data.get("level") or "",
            "kind": data.get("kind") or "",
            "status": "" if status == "all" else status,
        }
