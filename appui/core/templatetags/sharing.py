"""Templates ask core.sharing what the reader may see of a person:

{% load sharing %}
{% person_access person as access %}   {# then {% if access.medical %} … #}
{% restricted_notice person %}          {# "Accès restreint : …" when categories are hidden #}
"""

from django import template

from appui.core import sharing
from appui.core.permissions import can

register = template.Library()


def _membership(context):
    request = context.get("request")
    return getattr(request, "membership", None)


@register.simple_tag(takes_context=True)
def person_access(context, person):
    return sharing.access(_membership(context), person)


@register.inclusion_tag("includes/restricted_notice.html", takes_context=True)
def restricted_notice(context, person):
    membership = _membership(context)
    access = sharing.access(membership, person)
    outside = access.relationship in ("outside", "left")
    # Emergency access is offered only to the roles that may open it (assistants may not).
    outside_may_break = outside and can(membership, "emergency_access", "create", person)
    return {
        "access": access,
        "restricted": access.visible and not access.all_categories,
        "hidden": ", ".join(access.hidden_categories),
        "emergency_url": sharing.emergency_url(person) if outside_may_break else None,
        "outside": outside,
    }
