"""How a figure reads in French, on pages, in the report and in exports."""

from decimal import Decimal

from .indicators.base import Measure


def number(value, places: int | None = None) -> str:
    """1 234 / 45,2 — French separators, whatever the active locale."""
    if value is None:
        return "—"
    if places is None:
        places = 0 if isinstance(value, int) or value == int(value) else 1
    text = f"{Decimal(value):,.{places}f}"
    return text.replace(",", "\u202f").replace(".", ",")


#: Units' words that keep their final s in the singular.
INVARIABLE = {"mois", "fois", "pas", "dans", "plus", "moins"}


def singular(unit: str) -> str:
    """French: below 2 the unit is singular (1 personne, 0,5 jour ouvré)."""
    return " ".join(
        word[:-1] if word.endswith("s") and word not in INVARIABLE else word
        for word in unit.split(" ")
    )


def display(measure: Measure | None, unit: str) -> str:
    """The value with its unit, agreed in number: "45,2 %", "1 personne", "12 jours",
    "1 234,50 €", "—" when not computable."""
    if measure is None or measure.value is None:
        return "—"
    if abs(measure.value) < 2:
        unit = singular(unit)
    if unit == "%":
        return f"{number(measure.value, 1)}\u00a0%"
    if unit == "€":
        return f"{number(measure.value, 2)}\u00a0€"
    return f"{number(measure.value)}\u00a0{unit}" if unit else number(measure.value)
