from appui.core import sharing


def episode_scope(queryset, membership, value):
    """`care` rights are decided on the episode. `org`: the episodes of the user's DAC, less those
    of persons who excluded the user. `cercle`: the episodes of the persons whose care circle the
    user currently belongs to (core.sharing)."""
    if value == "org":
        queryset = queryset.filter(dac_id=membership.organisation_id)
        excluded = sharing.excluded_persons(membership)
        return queryset if excluded is None else queryset.exclude(person_id__in=excluded)
    if value == "cercle":
        persons = sharing.circle_persons(membership)
        if persons is None:
            return queryset.filter(person__gp__user_id=membership.user_id)
        return queryset.filter(person_id__in=persons)
    return queryset.none()
