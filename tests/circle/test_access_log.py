"""The access log of one person: read by the DAC's direction, filtered, bounded, with the
emergency rows flagged; the PDF for the person lists every access, oldest first."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from appui.core.enums import AccessAction, Role
from appui.core.models import AccessLog
from tests.factories import (
    EmergencyAccessFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return PersonFactory(dac=OrganisationFactory(dac=True, name="DAC du Hainaut"), sex="M")


def log(person, membership, at, action=AccessAction.READ, object_type="care.careepisode"):
    return AccessLog.objects.create(
        at=at,
        user=membership.user,
        user_label=membership.user.email,
        role=membership.role,
        organisation_id=membership.organisation_id,
        action=action,
        object_type=object_type,
        object_id="1",
        person_id=person.pk,
    )


def test_director_reads_the_log_of_one_person_filtered_and_bounded(
    client, person, django_assert_max_num_queries
):
    director = MembershipFactory(organisation=person.dac, role=Role.DIRECTOR)
    now = timezone.now()
    for i in range(60):
        staff = MembershipFactory(
            organisation=OrganisationFactory() if i % 2 else person.dac, role=Role.COORDINATOR
        )
        log(person, staff, now - datetime.timedelta(days=i))
    log(person, director, now - datetime.timedelta(days=100), AccessAction.UPDATE)
    log(PersonFactory(dac=person.dac), director, now)  # another person: not listed
    client.force_login(director.user)
    url = reverse("circle:access_log", args=[person.pk])
    with django_assert_max_num_queries(25):
        page = client.get(url)
    assert page.status_code == 200
    # The 61 rows above, and the creation of the record.
    assert page.context["page_obj"].paginator.count == 62
    row = page.context["rows"][0]
    assert row.role == "Coordinateur·rice de parcours" and row.organisation == "DAC du Hainaut"
    assert row.item == "Accompagnement" and row.action == "Consultation"
    filtered = client.get(url, {"action": "update"})
    assert filtered.context["page_obj"].paginator.count == 1
    start = timezone.localdate() - datetime.timedelta(days=9)
    expected = AccessLog.objects.filter(
        person_id=person.pk,
        at__gte=timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
    ).count()
    assert expected >= 10
    filtered = client.get(url, {"start": start.isoformat()})
    assert filtered.context["page_obj"].paginator.count == expected


def test_rows_under_an_emergency_access_are_flagged(client, person):
    director = MembershipFactory(organisation=person.dac, role=Role.DIRECTOR)
    outsider = MembershipFactory(organisation=person.dac, role=Role.COORDINATOR)
    access = EmergencyAccessFactory(person=person, user=outsider.user)
    log(person, outsider, access.opened_at + datetime.timedelta(minutes=5))
    log(person, outsider, access.opened_at - datetime.timedelta(days=2))
    client.force_login(director.user)
    rows = client.get(reverse("circle:access_log", args=[person.pk])).context["rows"]
    assert rows[0].emergency and sum(r.emergency for r in rows) == 1
    assert (
        "bris de glace"
        in client.get(reverse("circle:access_log", args=[person.pk])).content.decode()
    )


def test_who_may_read_it(client, person):
    url = reverse("circle:access_log", args=[person.pk])
    for role in (Role.COORDINATOR, Role.ASSISTANT, Role.PARTNER):
        client.force_login(MembershipFactory(organisation=person.dac, role=role).user)
        assert client.get(url).status_code == 403
    client.force_login(MembershipFactory(role=Role.DIRECTOR).user)  # another DAC
    assert client.get(url).status_code == 404
    director = MembershipFactory(organisation=person.dac, role=Role.DIRECTOR)
    client.force_login(director.user)
    detail = client.get(reverse("persons:detail", args=[person.pk])).content.decode()
    assert url in detail


def test_pdf_lists_every_access_oldest_first_and_is_logged(client, person):
    director = MembershipFactory(
        organisation=person.dac, role=Role.DIRECTOR, user__last_name="Directrice"
    )
    now = timezone.now()
    names = ["Alpha", "Bravo", "Charlie"]
    for i, name in enumerate(names):
        staff = MembershipFactory(
            organisation=person.dac, role=Role.COORDINATOR, user__last_name=name
        )
        log(person, staff, now - datetime.timedelta(days=30 - i))
    client.force_login(director.user)
    response = client.get(reverse("circle:access_log_pdf", args=[person.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Qui a consulté mon dossier" in text and "DAC du Hainaut" in text
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    assert AccessLog.objects.filter(
        person_id=person.pk, action=AccessAction.EXPORT, user=director.user
    ).exists()
    coordinator = MembershipFactory(organisation=person.dac, role=Role.COORDINATOR)
    client.force_login(coordinator.user)
    assert client.get(reverse("circle:access_log_pdf", args=[person.pk])).status_code == 403
