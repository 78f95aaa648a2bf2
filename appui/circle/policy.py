"""The sharing rules, in one place: who belongs to a person's care circle, what each profile may
see by default (adjusted by the DAC), and what the person's objections and emergency access
change. Registered in core.sharing at start-up; docs/permissions.md is the human-readable copy.

Queries here use `values_list`/`exists` on purpose: deciding a right is not reading the person's
data, so it leaves no line in the person's access log.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from appui.core.enums import DAC_STAFF_ROLES, CircleRelationship, Role, SensitivityCategory
from appui.core.sharing import Access

from .enums import ObjectionScope, SharingProfile

C = SensitivityCategory
ADM, SOC, AUT, MED, PSY, PLAN = (
    C.ADMINISTRATIVE,
    C.SOCIAL,
    C.AUTONOMY,
    C.MEDICAL,
    C.PSYCHOLOGICAL,
    C.PLAN,
)
ALL = frozenset(C)

# The default right of each profile on each category (docs/permissions.md, "Catégories de
# données"). DAC staff: by role; partner professionals: by profession.
P = SharingProfile
DEFAULTS: dict[str, frozenset] = {
    P.ASSISTANT: frozenset({ADM, SOC, PLAN}),
    P.COORDINATOR: ALL,
    P.CASE_MANAGER: ALL,
    P.SUPPORT_PHYSICIAN: ALL,
    P.DIRECTOR: ALL,
    P.PHYSICIAN: ALL,
    P.PHARMACIST: frozenset({ADM, MED, PLAN}),
    P.NURSE: frozenset({ADM, AUT, MED, PLAN}),
    P.PHYSIOTHERAPIST: frozenset({ADM, AUT, MED, PLAN}),
    P.PSYCHOLOGIST: frozenset({ADM, SOC, PSY, PLAN}),
    P.DIETITIAN: frozenset({ADM, MED, PLAN}),
    P.OCCUPATIONAL_THERAPIST: frozenset({ADM, AUT, PLAN}),
    P.SPEECH_THERAPIST: frozenset({ADM, AUT, MED, PLAN}),
    P.MIDWIFE: frozenset({ADM, MED, PSY, PLAN}),
    P.DENTIST: frozenset({ADM, MED, PLAN}),
    P.CARE_ASSISTANT: frozenset({ADM, AUT, PLAN}),
    P.SOCIAL_WORKER: frozenset({ADM, SOC, AUT, PLAN}),
    P.SOCIAL_EDUCATOR: frozenset({ADM, SOC, AUT, PLAN}),
    P.OTHER: frozenset({ADM, PLAN}),
}

#: Staff roles whose members share a person's data while their DAC accompanies the person.
CIRCLE_STAFF_ROLES = frozenset(DAC_STAFF_ROLES - {Role.ADMIN})


def profile_of(membership) -> str | None:
    """The sharing profile of a membership: the staff role, or the partner's profession."""
    role = getattr(membership, "role", None)
    if role in CIRCLE_STAFF_ROLES:
        return role
    if role == Role.PARTNER:
        from appui.territory.models import Professional

        profession = (
            Professional.objects.filter(user_id=membership.user_id)
            .values_list("profession", flat=True)
            .first()
        )
        return profession if profession in DEFAULTS else P.OTHER
    return None


def default_categories(dac_id, profile: str) -> frozenset:
    """The profile's categories for persons of this DAC: the defaults, with the DAC's changes."""
    from .models import SharingDefault

    categories = set(DEFAULTS.get(profile, frozenset()))
    for category, allowed in SharingDefault.objects.filter(
        dac_id=dac_id, profile=profile
    ).values_list("category", "allowed"):
        (categories.add if allowed else categories.discard)(category)
    # The administrative identity goes with any right at all (nobody sees a nameless record).
    if categories:
        categories.add(ADM)
    return frozenset(categories)


def _target_q(membership, prefix: str = "") -> Q:
    """Rows naming this user directly, through their professional record, or their structure."""
    return (
        Q(**{f"{prefix}user_id": membership.user_id})
        | Q(**{f"{prefix}professional__user_id": membership.user_id})
        | Q(**{f"{prefix}organisation_id": membership.organisation_id})
    )


def _active_member_q() -> Q:
    today = timezone.localdate()
    return Q(end_date__isnull=True) | Q(end_date__gt=today)


class CirclePolicy:
    def access(self, membership, person) -> Access:
        from appui.care.enums import EpisodeStatus
        from appui.care.models import CareEpisode

        from .models import CareCircleMember, EmergencyAccess, Objection

        role = membership.role
        staff = role in CIRCLE_STAFF_ROLES
        if not staff and role != Role.PARTNER:
            return Access(person.pk, CircleRelationship.OUTSIDE)
        if staff and person.dac_id != membership.organisation_id:
            return Access(person.pk, CircleRelationship.OUTSIDE)

        objection = (
            Objection.objects.filter(person_id=person.pk, withdrawn_on__isnull=True)
            .filter(_target_q(membership))
            .values("id", "scope", "categories", "own_actions_only")
            .order_by("scope")  # "exclude" before "restrict": the strictest wins
            .first()
        )
        if objection and objection["scope"] == ObjectionScope.EXCLUDE:
            return Access(person.pk, CircleRelationship.EXCLUDED)

        members = CareCircleMember.objects.filter(circle__person_id=person.pk).filter(
            _target_q(membership)
        )
        if staff:
            in_circle = (
                CareEpisode.objects.filter(
                    person_id=person.pk,
                    dac_id=membership.organisation_id,
                    status=EpisodeStatus.OPEN,
                    archived_at__isnull=True,
                ).exists()
                or members.filter(_active_member_q()).exists()
            )
        else:
            in_circle = (
                person.gp_id is not None
                and type(person)
                ._base_manager.filter(pk=person.pk, gp__user_id=membership.user_id)
                .exists()
            ) or members.filter(_active_member_q()).exists()

        emergency_id = None
        relationship = CircleRelationship.MEMBER
        if not in_circle and staff:
            emergency_id = (
                EmergencyAccess.objects.filter(
                    person_id=person.pk, user_id=membership.user_id, expires_at__gt=timezone.now()
                )
                .values_list("id", flat=True)
                .first()
            )
            relationship = CircleRelationship.EMERGENCY
        if not in_circle and emergency_id is None:
            left = members.exists() or (
                staff
                and CareEpisode.objects.filter(
                    person_id=person.pk, dac_id=membership.organisation_id
                ).exists()
            )
            return Access(
                person.pk,
                CircleRelationship.LEFT if left else CircleRelationship.OUTSIDE,
                frozenset({ADM}) if staff else frozenset(),
            )

        categories = default_categories(person.dac_id, profile_of(membership))
        own_professional = own_user = None
        if objection:  # restricted by the person
            relationship = CircleRelationship.RESTRICTED
            categories = categories & (frozenset(objection["categories"]) | {ADM})
            if objection["own_actions_only"]:
                own_user = membership.user_id
                from appui.territory.models import Professional

                own_professional = (
                    Professional.objects.filter(user_id=membership.user_id)
                    .values_list("id", flat=True)
                    .first()
                )
        return Access(
            person.pk,
            relationship,
            categories,
            own_actions_professional_id=own_professional,
            own_actions_user_id=own_user,
            emergency_access_id=emergency_id,
        )

    def excluded_persons(self, membership):
        from .models import Objection

        return (
            Objection.objects.filter(withdrawn_on__isnull=True, scope=ObjectionScope.EXCLUDE)
            .filter(_target_q(membership))
            .values("person_id")
        )

    def circle_persons(self, membership):
        from appui.persons.models import Person

        from .models import CareCircleMember

        members = (
            CareCircleMember.objects.filter(_active_member_q())
            .filter(_target_q(membership))
            .values("circle__person_id")
        )
        return (
            Person.objects.filter(Q(gp__user_id=membership.user_id) | Q(pk__in=members))
            .exclude(pk__in=self.excluded_persons(membership))
            .values("pk")
        )
