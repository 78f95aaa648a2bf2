from django.db.models import Q

from appui.territory.scopes import directory_scope as organisation_scope


def directory_scope(queryset, membership, value):
    """`org`: a partner reaches only its own organisation's entries — and, for services, those it
    offers as a professional whose record is tied to its account."""
    if value == "org" and queryset.model._meta.label_lower == "directory.service":
        return queryset.filter(
            Q(organisation_id=membership.organisation_id)
            | Q(professional__user_id=membership.user_id)
        )
    return organisation_scope(queryset, membership, value)


def unmet_need_scope(queryset, membership, value):
    """`org`: the unmet needs recorded by the user's own DAC."""
    if value == "org":
        return queryset.filter(dac_id=membership.organisation_id)
    return queryset.none()
