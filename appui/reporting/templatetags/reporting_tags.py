"""Figures and charts of the Pilotage pages (dashboard, report, CPOM, regional view).

- `{% figure measure unit %}`: a Measure in French ("45,2 %", "1 234 personnes", "—").
- `{{ rows|chart_max }}`: the largest value of chart rows, for the bars' widths.
- `{% include "reporting/_chart.html" with rows=… caption=… %}`: horizontal bars in HTML/CSS
  (role="img" with a French aria-label) and the data table right under them. Rows are tuples
  (label, value, display) — a value may be None — optionally followed by (previous display,
  change) shown when `previous_label` is given.
"""

from decimal import Decimal

from django import template

from ..formatting import display, number

register = template.Library()


@register.simple_tag
def figure(measure, unit=""):
    """The figure with its unit agreed in number (1 personne, 12 personnes, 45,2 %)."""
    return display(measure, unit)


@register.filter
def french_number(value):
    return number(value)


@register.simple_tag(takes_context=True)
def chart_options(context, rows):
    """The chart's optional settings read without failing when the includer leaves them out:
    previous_label (adds the previous period and change columns), value_label, label_header;
    and `top`, the largest value (the bars' 100 %)."""
    return {
        "previous_label": context.get("previous_label") or "",
        "value_label": context.get("value_label") or "Valeur",
        "label_header": context.get("label_header") or "Catégorie",
        "top": chart_max(rows),
    }


@register.filter
def chart_max(rows):
    values = [Decimal(row[1]) for row in rows or () if row[1] is not None]
    return max(values) if values and max(values) > 0 else 1


@register.filter
def bar_width(value, top):
    """The bar's width in percent of the largest value (a non-zero value is at least visible)."""
    if value is None or not top:
        return "0"
    width = Decimal(value) * 100 / Decimal(top)
    if 0 < width < 1:
        width = Decimal(1)
    return f"{max(width, 0):.1f}"


@register.filter
def chart_summary(rows):
    """The chart's text alternative: every label with its value."""
    return " ; ".join(f"{row[0]} : {row[2]}" for row in rows or ())
