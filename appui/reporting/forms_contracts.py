"""Forms of the CPOM: the contract, an objective, an indicator with its yearly targets, the
targets grid, the annual review and the ARS's letter. They only read input; the rules live in
`reporting.contracts`."""

from django import forms
from dsfr.forms import DsfrBaseForm

from appui.core.forms import FilterForm

from .contracts import ars_choices, catalogue_choices, check_dates
from .enums import ObjectiveKind, TargetDirection

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL_ERRORS = {
    "invalid": "Saisissez un nombre (ex. : 120 ou 45,5).",
    "max_digits": "Ce nombre est trop grand.",
    "max_decimal_places": "Deux décimales au plus.",
    "max_whole_digits": "Ce nombre est trop grand.",
}


def decimal_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "fr-input"}
        ),
        error_messages=DECIMAL_ERRORS,
        **kwargs,
    )


class ArsChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ContractForm(DsfrBaseForm):
    title = forms.CharField(
        label="Intitulé",
        max_length=200,
        help_text="Ex. : CPOM 2024-2028 du DAC Scarpe-Escaut.",
        error_messages={"required": "Indiquez l'intitulé du contrat."},
    )
    reference = forms.CharField(
        label="Référence", max_length=100, required=False, help_text="La référence de l'ARS."
    )
    ars = ArsChoiceField(
        label="ARS signataire",
        queryset=None,
        empty_label="Choisir l'ARS",
        error_messages={"required": "Choisissez l'ARS signataire."},
    )
    starts_on = forms.DateField(
        label="Début",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Indiquez la date de début du contrat.",
            "invalid": "Saisissez une date valide.",
        },
    )
    ends_on = forms.DateField(
        label="Fin",
        widget=DATE_WIDGET,
        help_text="Un CPOM dure de un à sept ans.",
        error_messages={
            "required": "Indiquez la date de fin du contrat.",
            "invalid": "Saisissez une date valide.",
        },
    )
    signed_on = forms.DateField(
        label="Signé le",
        widget=DATE_WIDGET,
        required=False,
        error_messages={"invalid": "Saisissez une date valide."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ars"].queryset = ars_choices()
        if not self.fields["ars"].queryset.exists():
            self.fields[
                "ars"
            ].help_text = "Aucune ARS n'est enregistrée dans le répertoire : ajoutez-la d'abord."

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on"):
            dates = (data["starts_on"], data["ends_on"], data.get("signed_on"))
            for field, message in check_dates(*dates).items():
                self.add_error(field, message)
        return data


class StrategicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ObjectiveForm(DsfrBaseForm):
    title = forms.CharField(
        label="Intitulé de l'objectif",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez l'intitulé de l'objectif."},
    )
    parent = StrategicChoiceField(
        label="Objectif stratégique",
        queryset=None,
        empty_label="Choisir l'objectif stratégique",
        error_messages={"required": "Choisissez l'objectif stratégique."},
    )

    def __init__(self, *args, contract, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind == ObjectiveKind.OPERATIONAL:
            self.fields["parent"].queryset = contract.objectives.filter(
                kind=ObjectiveKind.STRATEGIC
            ).order_by("position", "pk")
        else:
            del self.fields["parent"]


class IndicatorForm(FilterForm):
    """Which fields are needed depends on the source (catalogue or manual) and a year may have
    no target: no field is marked "(Optionnel)" (see FilterForm); the rules say what is missing."""

    CATALOGUE, MANUAL = "catalogue", "manual"

    source = forms.ChoiceField(
        label="Indicateur",
        choices=[
            (CATALOGUE, "Un indicateur du catalogue (calculé à partir des données)"),
            (MANUAL, "Un indicateur propre au contrat (réalisé saisi à la revue)"),
        ],
        widget=forms.RadioSelect,
        initial=CATALOGUE,
    )
    indicator_code = forms.ChoiceField(label="Indicateur du catalogue", required=False)
    label = forms.CharField(
        label="Intitulé de l'indicateur propre",
        max_length=300,
        required=False,
        help_text="Ex. : nombre de réunions avec les CPTS du territoire.",
    )
    unit = forms.CharField(
        label="Unité", max_length=30, required=False, help_text="Ex. : %, réunions, jours."
    )
    direction = forms.ChoiceField(
        label="Sens de la cible",
        choices=TargetDirection.choices,
        widget=forms.RadioSelect,
        initial=TargetDirection.AT_LEAST,
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(years)
        self.fields["indicator_code"].choices = [
            ("", "Choisir un indicateur"),
            *catalogue_choices(),
        ]
        for year in self.years:
            self.fields[f"target_{year}"] = decimal_field(f"Cible {year}")
        if not self.is_bound:
            self._display_without_optional_marks()

    def target_fields(self):
        return [self[f"target_{year}"] for year in self.years]

    def clean(self):
        data = super().clean()
        if data.get("source") == self.CATALOGUE:
            if not data.get("indicator_code"):
                self.add_error("indicator_code", "Choisissez un indicateur du catalogue.")
            data["label"], data["unit"] = "", ""
        else:
            data["indicator_code"] = ""
            if not (data.get("label") or "").strip():
                self.add_error("label", "Indiquez l'intitulé de l'indicateur propre au contrat.")
            if not (data.get("unit") or "").strip():
                self.add_error("unit", "Indiquez l'unité de l'indicateur (%, personnes, jours…).")
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "indicator_code": data["indicator_code"],
            "label": data.get("label", ""),
            "unit": data.get("unit", ""),
            "direction": data["direction"],
            "targets": {year: data.get(f"target_{year}") for year in self.years},
        }


class TargetsForm(forms.Form):
    """The grid: one field per indicator and year, named t_<indicator id>_<year>."""

    def __init__(self, *args, rows, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.years = rows, list(years)
        for row in rows:
            for year in self.years:
                name = f"t_{row.indicator.pk}_{year}"
                self.fields[name] = decimal_field(f"{row.label} — cible {year}")
                self.initial.setdefault(name, row.targets.get(year))

    def grid(self):
        """Rows of (indicator row, [bound fields by year]) for the template."""
        return [
            (row, [self[f"t_{row.indicator.pk}_{year}"] for year in self.years])
            for row in self.rows
        ]

    def values(self) -> dict:
        return {
            (row.indicator.pk, year): self.cleaned_data.get(f"t_{row.indicator.pk}_{year}")
            for row in self.rows
            for year in self.years
        }


class ReviewForm(forms.Form):
    """The DAC's analysis, a comment per line, the actual of each manual indicator."""

    dac_comment = forms.CharField(
        label="Votre analyse de l'année",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "fr-input"}),
        help_text="Ce que l'année montre : objectifs atteints, écarts et leurs causes, actions "
        "prévues.",
    )

    def __init__(self, *args, lines, review, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.lines = lines
        self.initial.setdefault("dac_comment", review.dac_comment)
        for line in lines:
            pk = line.indicator.pk
            self.fields[f"comment_{pk}"] = forms.CharField(
                label=f"Commentaire — {line.row.label}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "fr-input"}),
            )
            self.initial.setdefault(f"comment_{pk}", line.comment)
            if line.row.manual:
                self.fields[f"actual_{pk}"] = decimal_field(f"Réalisé — {line.row.label}")
                self.initial.setdefault(f"actual_{pk}", line.actual)

    def line_fields(self):
        """(line, comment field, actual field or None) for the template."""
        return [
            (
                line,
                self[f"comment_{line.indicator.pk}"],
                self[f"actual_{line.indicator.pk}"] if line.row.manual else None,
            )
            for line in self.lines
        ]

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "dac_comment": data.get("dac_comment", ""),
            "comments": {
                line.indicator.pk: data[f"comment_{line.indicator.pk}"] for line in self.lines
            },
            "actuals": {
                line.indicator.pk: data.get(f"actual_{line.indicator.pk}")
                for line in self.lines
                if line.row.manual
            },
        }


class ArsLetterForm(DsfrBaseForm):
    ars_letter_on = forms.DateField(
        label="Date du courrier de l'ARS",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Indiquez la date du courrier de l'ARS.",
            "invalid": "Saisissez une date valide.",
        },
    )
    ars_observations = forms.CharField(
        label="Observations de l'ARS",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Indiquez les observations de l'ARS."},
    )
