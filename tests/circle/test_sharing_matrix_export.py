"""The data export against docs/permissions.md, generated: for every profile (staff roles and
partner professions) × relationship to the person, the export's JSON holds a category's data
exactly when the document says `export` is allowed; roles without `person/export` get a 403."""

import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from tests.circle.sharing_doc import CATEGORIES, RELATIONSHIPS, defaults, expected, role_of
from tests.factories import (
    CareCircleMemberFactory,
    CareEpisodeFactory,
    CarerFactory,
    ContactLogFactory,
    EmergencyAccessFactory,
    GoalFactory,
    LiaisonNoteFactory,
    MembershipFactory,
    NeedFactory,
    ObjectionFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROFILES = sorted(defaults())
NEED_DOMAINS = {"autonomy": "autonomy", "medical": "health", "psychological": "psychological"}


def sentinel(category, where):
    return f"SENTINELLE-{category}-{where}"


def person_with_data():
    """A person with one piece of data of each category (and a note of each category), held on
    an episode of another DAC so that the relationship is set by the test alone."""
    person = PersonFactory()
    elsewhere = CareEpisodeFactory(
        person=person,
        dac=OrganisationFactory(dac=True),
        status="closed",
        closed_on=timezone.localdate(),
    )
    CarerFactory(person=person, last_name=sentinel("administrative", "row"))
    ContactLogFactory(
        request__dac=person.dac, request__person=person, purpose=sentinel("social", "row")
    )
    for category, domain in NEED_DOMAINS.items():
        NeedFactory(episode=elsewhere, domain=domain, description=sentinel(category, "row"))
    GoalFactory(plan_version__plan__episode=elsewhere, title=sentinel("plan", "row"))
    for category in CATEGORIES:
        LiaisonNoteFactory(person=person, category=category, text=sentinel(category, "note"))
    return person


def exporter(profile, person, relationship):
    """A membership with `profile` standing in `relationship` to the person."""
    if role_of(profile) != Role.PARTNER:
        membership = MembershipFactory(organisation=person.dac, role=profile)
        target = {"user": membership.user}
        if relationship in ("member", "restricted"):
            CareEpisodeFactory(person=person)
        elif relationship == "left":
            CareEpisodeFactory(person=person, status="closed", closed_on=timezone.localdate())
        elif relationship == "emergency":
            EmergencyAccessFactory(person=person, user=membership.user)
    else:
        user = UserFactory()
        professional = ProfessionalFactory(profession=profile, user=user)
        membership = MembershipFactory(
            user=user, role=Role.PARTNER, organisation=OrganisationFactory(kind="practice")
        )
        target = {"professional": professional}
        if relationship in ("member", "restricted", "emergency"):
            CareCircleMemberFactory(circle__person=person, professional=professional)
        elif relationship == "left":
            CareCircleMemberFactory(
                circle__person=person,
                professional=professional,
                end_date=timezone.localdate() - datetime.timedelta(days=1),
            )
    if relationship == "restricted":
        ObjectionFactory(person=person, scope="restrict", categories=["plan"], **target)
    elif relationship == "excluded":
        ObjectionFactory(person=person, scope="exclude", **target)
    return membership


@pytest.mark.parametrize("relationship", RELATIONSHIPS)
@pytest.mark.parametrize("profile", PROFILES)
def test_export_follows_the_document(client, profile, relationship):
    person = person_with_data()
    membership = exporter(profile, person, relationship)
    client.force_login(membership.user)
    response = client.post(reverse("circle:person_export", args=[person.pk]))
    allowed = {c: expected(profile, c, "export", relationship) for c in CATEGORIES}
    if not any(allowed.values()):
        # Nothing to export: refused (the role never exports) or out of reach (excluded).
        assert response.status_code in (403, 404)
        if role_of(profile) == Role.PARTNER or profile in ("assistant", "support_physician"):
            assert response.status_code == 403
        return
    assert response.status_code == 200, (profile, relationship)
    text = zipfile.ZipFile(io.BytesIO(response.content)).read("donnees.json").decode()
    json.loads(text)
    for category in CATEGORIES:
        for where in ("row", "note"):
            present = sentinel(category, where) in text
            assert present == allowed[category], (profile, relationship, category, where)
