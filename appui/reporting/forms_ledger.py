"""Forms of the derogatory services ledger and of the yearly budget."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from appui.core.forms import FilterForm
from appui.core.permissions import scope
from appui.persons.forms import PersonRefField, autocomplete
from appui.persons.models import Person

from . import ledger
from .enums import DerogatoryKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MIN_YEAR = 2015


class MoneyField(forms.DecimalField):
    """Euros as the French write them: "1 234,50" (spaces between thousands, decimal comma)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def widget_attrs(self, widget):
        return {}  # no min/step: a text input taking "1 234,50"

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "").replace(",", ".").rstrip("€")
        return super().to_python(value)


def money_field(label: str, help_text: str = "", allow_zero: bool = False) -> forms.DecimalField:
    return MoneyField(
        label=label,
        help_text=help_text,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0") if allow_zero else None,
        error_messages={
            "invalid": "Saisissez un montant en euros, par exemple 45,50.",
            "max_decimal_places": "Deux chiffres au plus après la virgule (les centimes).",
            "max_digits": "Montant trop élevé.",
            "max_whole_digits": "Montant trop élevé.",
            "min_value": "Le montant ne peut pas être négatif.",
        },
    )


class LedgerFilterForm(FilterForm):
    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False)
    type = forms.ChoiceField(
        label="Prestation", required=False, choices=[("", "Toutes")] + DerogatoryKind.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = timezone.localdate().year
        self.fields["annee"].choices = [
            (year, str(year)) for year in range(current + 1, MIN_YEAR - 1, -1)
        ]


class DerogatoryServiceForm(DsfrBaseForm):
    """A service paid for a person the user may list; the accompaniment in progress on the day
    it was provided is attached (a service outside any accompaniment is refused)."""

    person = PersonRefField(
        label="Personne accompagnée",
        help_text="Son nom ou son numéro de dossier, choisi dans les propositions.",
        widget=autocomplete("reporting:ledger_person_options", "ledger-person-options"),
    )
    kind = forms.ChoiceField(label="Prestation", choices=[("", "—")] + DerogatoryKind.choices)
    provider_label = forms.CharField(
        label="Prestataire",
        max_length=200,
        help_text="Nom du professionnel ou de la structure qui a réalisé la prestation.",
        widget=forms.TextInput(attrs={"list": "ledger-providers", "autocomplete": "off"}),
    )
    provided_on = forms.DateField(label="Réalisée le", widget=DATE_WIDGET)
    sessions = forms.IntegerField(
        label="Nombre de séances",
        min_value=1,
        max_value=200,
        initial=1,
        error_messages={"min_value": "Au moins une séance."},
    )
    amount = money_field("Montant payé (€)", "Montant total de la facture, en euros.")
    budget_line = forms.CharField(
        label="Ligne budgétaire",
        max_length=100,
        help_text="Choisissez une ligne déjà utilisée ou saisissez-en une nouvelle.",
        widget=forms.TextInput(attrs={"list": "ledger-budget-lines", "autocomplete": "off"}),
    )
    invoice_reference = forms.CharField(
        label="Référence de la facture", max_length=100, required=False
    )

    def __init__(self, *args, membership, **kwargs):
        self.membership = membership
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = scope(
            membership, "person", "list", Person.objects.current()
        )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError("Le montant doit être supérieur à zéro.")
        return amount

    def clean_provided_on(self):
        day = self.cleaned_data["provided_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if day < datetime.date(MIN_YEAR, 1, 1):
            raise forms.ValidationError(f"La date ne peut pas être antérieure à {MIN_YEAR}.")
        return day

    def clean_provider_label(self):
        return " ".join(self.cleaned_data["provider_label"].split())

    def clean_budget_line(self):
        return " ".join(self.cleaned_data["budget_line"].split())

    def clean(self):
        data = super().clean()
        person, day = data.get("person"), data.get("provided_on")
        if person is not None and day is not None:
            episode = ledger.episode_on(person, self.membership.organisation_id, day)
            if episode is None:
                self.add_error(
                    "provided_on",
                    f"Le {day:%d/%m/%Y}, cette personne n'était pas accompagnée par le DAC : une "
                    "prestation dérogatoire se rattache à un accompagnement en cours ce jour-là.",
                )
            data["episode"] = episode
        return data


class CancelForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de l'annulation",
        max_length=255,
        help_text="Par exemple : saisie en double, facture refusée, erreur de personne.",
        error_messages={"required": "Indiquez le motif de l'annulation."},
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Indiquez le motif de l'annulation.")
        return reason


class BudgetForm(DsfrBaseForm):
    year = forms.IntegerField(
        label="Année",
        error_messages={"invalid": "Saisissez une année, par exemple 2025."},
    )
    amount = money_field(
        "Budget de fonctionnement (€)",
        "Le budget annuel du DAC : il donne le coût par personne suivie.",
        allow_zero=True,
    )
    derogatory_amount = money_field(
        "Enveloppe des prestations dérogatoires (€)",
        "La part du budget réservée aux prestations payées pour les personnes.",
        allow_zero=True,
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        current = timezone.localdate().year
        if not MIN_YEAR <= year <= current + 1:
            raise forms.ValidationError(
                f"L'année doit être comprise entre {MIN_YEAR} et {current + 1}."
            )
        return year

    def clean(self):
        data = super().clean()
        amount, envelope = data.get("amount"), data.get("derogatory_amount")
        if amount is not None and envelope is not None and envelope > amount:
            self.add_error(
                "derogatory_amount",
                "L'enveloppe des prestations dérogatoires ne peut pas dépasser le budget.",
            )
        return data
