"""The period picker of the dashboard and of the indicator pages."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from appui.core.forms import FilterForm

from .dashboard import MAX_YEARS, default_year, span_too_long
from .indicators.base import Period

FIRST_YEAR = 2015


class PeriodForm(FilterForm):
    """A calendar year (the last complete one by default), or any dates "du … au …"."""

    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False)
    du = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data=None, *args, today: datetime.date | None = None, **kwargs):
        self.today = today or timezone.localdate()
        if data is not None and not any(data.get(name) for name in ("annee", "du", "au")):
            data = None  # nothing chosen: the default period, not an error
        super().__init__(data, *args, **kwargs)
        self.fields["annee"].choices = [
            (year, str(year)) for year in range(self.today.year, FIRST_YEAR - 1, -1)
        ]
        if not self.is_bound:
            self.initial.setdefault("annee", default_year(self.today))

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if self.errors:
            return data
        if bool(start) != bool(end):
            self.add_error(
                "au" if start else "du",
                "Indiquez les deux dates de la période, ou choisissez seulement une année.",
            )
        elif start and end:
            if start > end:
                self.add_error("au", "La fin de la période doit suivre son début.")
            elif span_too_long(start, end):
                self.add_error(
                    "au", f"La période ne peut pas dépasser {MAX_YEARS} ans : raccourcissez-la."
                )
        elif not data.get("annee"):
            self.add_error("annee", "Choisissez une année ou indiquez des dates.")
        return data

    def period(self) -> Period:
        """The chosen period; the default one (last complete year) when the choice is invalid."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            if data.get("du") and data.get("au"):
                return Period(data["du"], data["au"])
            return Period.year(data["annee"])
        return Period.year(default_year(self.today))

    def query(self, period: Period) -> str:
        """The query string that reproduces `period` (links from the dashboard keep it)."""
        if period.is_calendar_year:
            return f"annee={period.start.year}"
        return f"du={period.start:%Y-%m-%d}&au={period.end:%Y-%m-%d}"
