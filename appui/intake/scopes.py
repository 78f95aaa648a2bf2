from django.db.models import Q

from appui.core import sharing


def support_request_scope(queryset, membership, value):
    """`org`: the requests received by the user's DAC. `soi`: the requests the user filed, or
    filed in their name (their professional record is the requester). Either way, less the
    requests about a person who excluded the user by an objection (core.sharing)."""
    if value == "org":
        queryset = queryset.filter(dac_id=membership.organisation_id)
    elif value == "soi":
        queryset = queryset.filter(
            Q(submitted_by_id=membership.user_id)
            | Q(requester_professional__user_id=membership.user_id)
        )
    else:
        return queryset.none()
    excluded = sharing.excluded_persons(membership)
    return queryset if excluded is None else queryset.exclude(person_id__in=excluded)


def intake_settings_scope(queryset, membership, value):
    """`org`: the settings and the reasons catalogue of the user's DAC."""
    if value == "org":
        return queryset.filter(dac_id=membership.organisation_id)
    return queryset.none()
