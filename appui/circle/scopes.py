from appui.persons.scopes import person_scope


def person_rights_scope(queryset, membership, value):
    """Circle, liaison notebook and emergency access rights are decided on the person."""
    if queryset.model._meta.label_lower == "persons.person":
        return person_scope(queryset, membership, value)
    if value == "org":
        return queryset.filter(person__dac_id=membership.organisation_id)
    return queryset.none()


def sharing_settings_scope(queryset, membership, value):
    if value == "org":
        return queryset.filter(pk=membership.organisation_id)
    return queryset.none()
