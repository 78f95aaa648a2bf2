"""How an `org` cell narrows the steering objects: every one of them belongs to one DAC."""

#: Steering objects whose rows carry their DAC (`dac_id`).
DAC_OBJECTS = ("activity_report", "contract", "derogatory_service", "quality_assessment")


def dac_scope(queryset, membership, value):
    """`org`: the rows of the user's own DAC."""
    if value == "org":
        return queryset.filter(dac_id=membership.organisation_id)
    return queryset.none()


def register() -> None:
    from appui.core.permissions import register_scope

    for obj in DAC_OBJECTS:
        register_scope(obj, dac_scope)
