"""The sharing policy's answers for each relationship to the person (the generated matrix test
checks every combination against docs/permissions.md; these pin the mechanics)."""

import datetime

import pytest
from django.utils import timezone

from appui.core import sharing
from appui.core.enums import CircleRelationship, Role
from appui.persons.models import Person
from tests.factories import (
    CareCircleMemberFactory,
    CareEpisodeFactory,
    EmergencyAccessFactory,
    MembershipFactory,
    ObjectionFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    SharingDefaultFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def partner(profession="nurse"):
    user = UserFactory()
    professional = ProfessionalFactory(profession=profession, user=user)
    membership = MembershipFactory(
        user=user, role=Role.PARTNER, organisation=OrganisationFactory(kind="practice")
    )
    return membership, professional


def fresh(membership):
    sharing.forget(membership)
    return membership


def test_staff_of_the_accompanying_dac_is_in_the_circle_while_the_episode_is_open():
    episode = CareEpisodeFactory()
    staff = MembershipFactory(organisation=episode.dac, role=Role.ASSISTANT)
    access = sharing.access(staff, episode.person)
    assert access.relationship == CircleRelationship.MEMBER
    assert access.social and access.plan and not access.medical
    episode.status, episode.closed_on = "closed", timezone.localdate()
    episode.save()
    access = sharing.access(fresh(staff), episode.person)
    assert access.relationship == CircleRelationship.LEFT
    assert access.categories == {"administrative"}


def test_staff_outside_sees_administrative_and_emergency_access_opens_the_defaults():
    person = PersonFactory()
    staff = MembershipFactory(organisation=person.dac, role=Role.COORDINATOR)
    assert sharing.access(staff, person).relationship == CircleRelationship.OUTSIDE
    EmergencyAccessFactory(person=person, user=staff.user)
    access = sharing.access(fresh(staff), person)
    assert access.relationship == CircleRelationship.EMERGENCY and access.medical
    other_dac = MembershipFactory(role=Role.COORDINATOR)
    assert not sharing.access(other_dac, person).visible


def test_partner_member_left_and_gp():
    person = PersonFactory()
    membership, professional = partner("social_worker")
    assert sharing.access(membership, person).categories == frozenset()
    member = CareCircleMemberFactory(circle__person=person, professional=professional)
    access = sharing.access(fresh(membership), person)
    assert access.social and access.autonomy and access.plan and not access.medical
    assert person.pk in set(sharing.circle_persons(membership).values_list("pk", flat=True))
    member.end_date = timezone.localdate() - datetime.timedelta(days=1)
    member.save()
    assert sharing.access(fresh(membership), person).relationship == CircleRelationship.LEFT
    assert not sharing.circle_persons(membership).filter(pk=person.pk).exists()

    gp_membership, gp = partner("physician")
    person.gp = gp
    person.save()
    assert sharing.access(gp_membership, Person.objects.get(pk=person.pk)).all_categories


def test_objections_exclude_or_restrict_at_once():
    person = PersonFactory()
    membership, professional = partner("physiotherapist")
    CareCircleMemberFactory(circle__person=person, professional=professional)
    objection = ObjectionFactory(
        person=person,
        professional=professional,
        scope="restrict",
        categories=["plan"],
        own_actions_only=True,
    )
    access = sharing.access(membership, person)
    assert access.relationship == CircleRelationship.RESTRICTED
    assert access.categories == {"administrative", "plan"}
    assert access.own_actions_professional_id == professional.pk
    objection.scope = "exclude"
    objection.save()
    assert sharing.access(fresh(membership), person).categories == frozenset()
    assert not sharing.circle_persons(membership).filter(pk=person.pk).exists()
    staff = MembershipFactory(organisation=person.dac)
    ObjectionFactory(person=person, user=staff.user)
    assert person.pk in set(sharing.excluded_persons(staff).values_list("person_id", flat=True))


def test_the_dac_adjusts_a_profile_default():
    person = PersonFactory()
    membership, professional = partner("nurse")
    CareCircleMemberFactory(circle__person=person, professional=professional)
    assert not sharing.access(membership, person).social
    SharingDefaultFactory(dac=person.dac, profile="nurse", category="social", allowed=True)
    SharingDefaultFactory(dac=person.dac, profile="nurse", category="medical", allowed=False)
    access = sharing.access(fresh(membership), person)
    assert access.social and not access.medical


def test_the_code_defaults_are_the_document_defaults():
    from appui.circle.policy import DEFAULTS

    from .sharing_doc import defaults

    assert {k: set(v) for k, v in defaults().items()} == {
        str(k): {str(c) for c in v} for k, v in DEFAULTS.items()
    }
