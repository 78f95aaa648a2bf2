def professional_scope(queryset, membership, value):
    """`soi`: a partner reaches only the professional record attached to their own account."""
    if value == "soi":
        return queryset.filter(user_id=membership.user_id)
    return queryset.none()


def directory_scope(queryset, membership, value):
    """`org`: a partner reaches only their own organisation's entries."""
    if value == "org":
        if queryset.model._meta.model_name == "organisation":
            return queryset.filter(pk=membership.organisation_id)
        return queryset.filter(organisation_id=membership.organisation_id)
    return queryset.none()
