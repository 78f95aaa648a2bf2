def episode_scope(queryset, membership, value):
    """`care` rights are decided on the episode. `org`: the episodes of the user's DAC.
    `cercle`: the episodes of the persons whose care circle the user is in — until the care
    circle exists, a professional is in the circle of their own patients."""
    if value == "org":
        return queryset.filter(dac_id=membership.organisation_id)
    if value == "cercle":
        return queryset.filter(person__gp__user_id=membership.user_id)
    return queryset.none()
