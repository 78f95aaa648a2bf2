def account_scope(queryset, membership, value):
    """`org`: the accounts that hold a membership in the user's active organisation."""
    if value == "org":
        return queryset.filter(memberships__organisation_id=membership.organisation_id).distinct()
    return queryset.none()
