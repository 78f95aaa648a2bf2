"""Emergency access (bris de glace): who may open it, the justification, its duration, the
flagged line in the person's access log, the notice to the direction, the review."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from appui.circle import emergency
from appui.circle.models import EmergencyAccess, Notification
from appui.core import sharing
from appui.core.enums import AccessAction, CircleRelationship, Role
from appui.core.models import AccessLog, Event
from tests.factories import (
    CareEpisodeFactory,
    EmergencyAccessFactory,
    MembershipFactory,
    ObjectionFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

WHY = "Appel du SAMU : chute à domicile, la personne est hospitalisée en urgence."


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True)


@pytest.fixture
def person(dac):
    return PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M")


@pytest.fixture
def outsider(dac):
    return MembershipFactory(organisation=dac, role=Role.COORDINATOR)


@pytest.fixture
def director(dac):
    return MembershipFactory(organisation=dac, role=Role.DIRECTOR)


def test_opening_gives_the_defaults_flags_the_log_and_notifies_the_directors(
    person, outsider, director, django_capture_on_commit_callbacks
):
    other_dac_director = MembershipFactory(role=Role.DIRECTOR)
    assert sharing.access(outsider, person).relationship == CircleRelationship.OUTSIDE
    with django_capture_on_commit_callbacks(execute=True):
        access = emergency.open_emergency_access(person, outsider, WHY)
    assert access.expires_at - access.opened_at == datetime.timedelta(hours=12)
    assert access.role == Role.COORDINATOR and access.organisation_id == person.dac_id
    current = sharing.access(outsider, person)  # the cache was dropped
    assert current.relationship == CircleRelationship.EMERGENCY and current.medical
    assert current.emergency_access_id == access.pk
    flagged = AccessLog.objects.get(person_id=person.pk, action=AccessAction.EMERGENCY)
    assert flagged.object_type == "persons.person"
    assert Event.objects.filter(
        subject_type="circle.emergencyaccess", subject_id=str(access.pk), verb="emergency_opened"
    ).exists()
    notices = Notification.objects.filter(kind="emergency_access")
    assert [n.user_id for n in notices] == [director.user_id]
    assert other_dac_director.user_id not in [n.user_id for n in notices]
    assert notices[0].url == reverse("circle:emergency_list")
    # No health detail leaves by e-mail: who opened which record number, nothing else.
    assert len(mail.outbox) == 1 and "Benali" not in mail.outbox[0].body


def test_rules_justification_relationship_and_role(person, outsider):
    with pytest.raises(ValidationError) as refused:
        emergency.open_emergency_access(person, outsider, "urgent")
    assert "20 caractères" in str(refused.value)
    # A member of the circle has no use for it.
    CareEpisodeFactory(person=person)
    sharing.forget(outsider)
    with pytest.raises(ValidationError, match="cercle de soins"):
        emergency.open_emergency_access(person, outsider, WHY)
    # An assistant may never; a partner may never.
    assistant = MembershipFactory(organisation=person.dac, role=Role.ASSISTANT)
    with pytest.raises(PermissionDenied):
        emergency.open_emergency_access(person, assistant, WHY)
    # Another DAC's staff cannot reach the person.
    with pytest.raises(PermissionDenied):
        emergency.open_emergency_access(person, MembershipFactory(role=Role.COORDINATOR), WHY)
    assert not EmergencyAccess.objects.exists()


def test_excluded_by_an_objection_cannot_break_the_glass(person, outsider):
    ObjectionFactory(person=person, user=outsider.user, scope="exclude")
    with pytest.raises((PermissionDenied, ValidationError)):
        emergency.open_emergency_access(person, outsider, WHY)
    assert emergency.refusal(outsider, person) is not None


def test_left_staff_may_open_and_the_access_expires(person, outsider, time_machine):
    CareEpisodeFactory(person=person, status="closed", closed_on=timezone.localdate())
    assert sharing.access(outsider, person).relationship == CircleRelationship.LEFT
    emergency.open_emergency_access(person, outsider, WHY)
    sharing.forget(outsider)
    assert sharing.access(outsider, person).relationship == CircleRelationship.EMERGENCY
    with pytest.raises(ValidationError, match="déjà un accès"):
        emergency.open_emergency_access(person, outsider, WHY)
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=12, minutes=1))
    sharing.forget(outsider)
    assert sharing.access(outsider, person).relationship == CircleRelationship.LEFT


def test_pages_open_list_and_review(client, person, outsider, director):
    client.force_login(outsider.user)
    url = reverse("circle:emergency_open", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Bris de glace" in page.content.decode()
    refused = client.post(url, {"justification": "trop court"})
    assert refused.status_code == 200 and "20 caractères" in refused.content.decode()
    done = client.post(url, {"justification": WHY})
    assert done.status_code == 302 and done.url == reverse("persons:detail", args=[person.pk])
    access = EmergencyAccess.objects.get()
    # Coordinators do not review; the director lists and reviews.
    assert client.get(reverse("circle:emergency_list")).status_code == 403
    client.force_login(director.user)
    listing = client.get(reverse("circle:emergency_list"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "À examiner" in text and WHY.split(":")[0] in text
    admin = client.get(reverse("core:administration")).content.decode()
    assert "1 à examiner" in admin
    review = reverse("circle:emergency_review", args=[access.pk])
    client.post(review, {"comment": ""})
    access.refresh_from_db()
    assert access.reviewed_at is None
    client.post(review, {"comment": "Justifié : hospitalisation en urgence."})
    access.refresh_from_db()
    assert access.reviewed_by_id == director.user_id and access.reviewed_at is not None
    assert Event.objects.filter(verb="emergency_reviewed", subject_id=str(access.pk)).exists()
    assert "0 à examiner" in client.get(reverse("core:administration")).content.decode()


def test_list_puts_the_accesses_to_review_first_bounded(
    client, dac, director, django_assert_max_num_queries
):
    old = EmergencyAccessFactory(person=PersonFactory(dac=dac), reviewed_at=timezone.now())
    for _ in range(15):
        EmergencyAccessFactory(person=PersonFactory(dac=dac))
    EmergencyAccessFactory()  # another DAC
    client.force_login(director.user)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("circle:emergency_list"))
    listed = list(page.context["object_list"])
    assert len(listed) == 16 and listed[-1] == old
    only = client.get(reverse("circle:emergency_list"), {"status": "reviewed"})
    assert list(only.context["object_list"]) == [old]


def test_the_emergency_link_is_registered_for_care_pages(person):
    assert sharing.emergency_url(person) == reverse("circle:emergency_open", args=[person.pk])
