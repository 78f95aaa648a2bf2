"""The coverage of one coordination structure: communes (Insee codes), population, two axes."""

import re

from django import forms
from dsfr.forms import DsfrBaseForm

from appui.territory.models import Commune

from .enums import ComplexityAxis, HealthSocialAxis


class CoverageForm(DsfrBaseForm):
    communes = forms.CharField(
        label="Communes couvertes",
        help_text="Codes Insee séparés par des virgules, des espaces ou des retours à la ligne "
        "(par exemple : 59178, 59569).",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    population = forms.CharField(
        label="Population concernée",
        max_length=200,
        help_text="Par exemple : personnes âgées de 60 ans et plus et leurs aidants.",
    )
    health_social = forms.TypedChoiceField(
        label="Champ d'intervention (sanitaire ↔ social)",
        choices=HealthSocialAxis.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    complexity = forms.TypedChoiceField(
        label="Situations prises en charge (standard ↔ complexes)",
        choices=ComplexityAxis.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Précisions (facultatif)", max_length=300, required=False)

    def __init__(self, *args, region: str, is_dac: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.is_dac = is_dac
        if is_dac:
            # A DAC's communes are its territory's (Administration › Territoire).
            del self.fields["communes"]
        self.fields["population"].error_messages["required"] = "Indiquez la population concernée."
        self.fields["health_social"].error_messages["required"] = (
            "Situez la structure entre le champ sanitaire et le champ social."
        )
        self.fields["complexity"].error_messages["required"] = (
            "Indiquez si la structure prend en charge des situations standard ou complexes."
        )
        if "communes" in self.fields:
            self.fields["communes"].error_messages["required"] = (
                "Indiquez au moins une commune couverte (code Insee)."
            )

    def clean_communes(self):
        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data["communes"]) if c]
        malformed = [c for c in codes if not re.fullmatch(r"\d[0-9AB]\d{3}", c)]
        if malformed:
            raise forms.ValidationError(
                "Code Insee mal formé (5 caractères, par exemple 59178) : %(codes)s.",
                params={"codes": ", ".join(malformed)},
            )
        found = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                "Code Insee inconnu du référentiel des communes : %(codes)s.",
                params={"codes": ", ".join(unknown)},
            )
        outside = [
            f"{c.name} ({c.insee_code})" for c in found.values() if c.region_code != self.region
        ]
        if outside:
            raise forms.ValidationError(
                "Commune hors de la région : %(communes)s.",
                params={"communes": ", ".join(sorted(outside))},
            )
        return sorted(found.values(), key=lambda c: c.name)
