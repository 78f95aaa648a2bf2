from appui.core import sharing


def person_scope(queryset, membership, value):
    """`org`: the persons of the user's DAC, less those who excluded the user by an objection.
    `cercle`: the persons whose care circle the user currently belongs to (core.sharing)."""
    if value == "org":
        queryset = queryset.filter(dac_id=membership.organisation_id)
        excluded = sharing.excluded_persons(membership)
        return queryset if excluded is None else queryset.exclude(pk__in=excluded)
    if value == "cercle":
        persons = sharing.circle_persons(membership)
        if persons is None:
            return queryset.filter(gp__user_id=membership.user_id)
        return queryset.filter(pk__in=persons)
    return queryset.none()
