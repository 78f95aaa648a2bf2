from django.db.models import Q


def support_request_scope(queryset, membership, value):
    """`org`: the requests received by the user's DAC. `soi`: the requests the user filed, or
    filed in their name (their professional record is the requester)."""
    if value == "org":
        return queryset.filter(dac_id=membership.organisation_id)
    if value == "soi":
        return queryset.filter(
            Q(submitted_by_id=membership.user_id)
            | Q(requester_professional__user_id=membership.user_id)
        )
    return queryset.none()


def intake_settings_scope(queryset, membership, value):
    """`org`: the settings and the reasons catalogue of the user's DAC."""
    if value == "org":
        return queryset.filter(dac_id=membership.organisation_id)
    return queryset.none()
