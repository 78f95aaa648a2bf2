def person_scope(queryset, membership, value):
    """`org`: the persons of the user's DAC. `cercle`: the persons whose care circle the user is
    in — until the care circle exists, a professional is in the circle of their own patients
    (the médecin traitant is always part of it)."""
    if value == "org":
        return queryset.filter(dac_id=membership.organisation_id)
    if value == "cercle":
        return queryset.filter(gp__user_id=membership.user_id)
    return queryset.none()
