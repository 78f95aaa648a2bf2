"""The generated test of the sharing rules: for every profile of docs/permissions.md (DAC staff
roles and partner professions) and every relationship to the person, the pages, lists, search
and PDFs show a category's data exactly when the document says so.

One dataset for the module: a person whose data holds one sentinel word per category (a need of
each domain, a hospital stay, a contact, an AGGIR summary, a PPCS action, a concertation's
decisions, the name). Each test sets one relationship up (rolled back after it), reads every
page as that user and compares each sentinel with `sharing_doc.expected(...)`.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from appui.care import assessments
from appui.care.models import CareEpisode, Meeting
from appui.core.enums import Role
from tests.circle import sharing_doc
from tests.factories import (
    ActionFactory,
    AssessmentFactory,
    CareCircleFactory,
    CareCircleMemberFactory,
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    ContactLogFactory,
    EmergencyAccessFactory,
    GoalFactory,
    HospitalStayFactory,
    MeetingFactory,
    MeetingSituationFactory,
    MembershipFactory,
    NeedFactory,
    ObjectionFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    SupportRequestFactory,
)

SENTINELS = {
    "administrative": "sentadmzq",  # the person's birth name
    "social": "sentsoczq",
    "autonomy": "sentautzq",
    "medical": "sentmedzq",
    "psychological": "sentpsyzq",
    "plan": "sentplanzq",
}
DOMAIN_SENTINEL = {
    "health": "medical",
    "cognition": "medical",
    "autonomy": "autonomy",
    "psychological": "psychological",
    "carers": "social",
    "housing": "social",
    "rights": "social",
    "social_life": "social",
}
PROFILES = tuple(sharing_doc.defaults())
CASES = [(p, r) for p in PROFILES for r in sharing_doc.RELATIONSHIPS]


def _text(html: str) -> str:
    return re.sub(r"\s+", "", html).lower()


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """The dataset, built once in a transaction rolled back after the module's tests (each
    test's own changes are rolled back to a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        dac = OrganisationFactory(dac=True)
        person = PersonFactory(dac=dac, birth_name="Sentadmzq", used_name="", first_name="Armand")
        episode = CareEpisodeFactory(person=person)
        staff_author = MembershipFactory(organisation=dac, role=Role.COORDINATOR).user

        multi = AssessmentFactory(
            episode=episode,
            form=assessments.shipped_form(assessments.MULTIDIMENSIONAL_CODE),
            status="completed",
            author=staff_author,
        )
        aggir = AssessmentFactory(
            episode=episode,
            form=assessments.shipped_form(assessments.AGGIR_CODE),
            status="completed",
            author=staff_author,
            summary="Bilan sentautzq",
        )
        plan = CarePlanFactory(episode=episode)
        version = CarePlanVersionFactory(
            plan=plan, number=1, status="active", situation="Synthèse sentplanzq"
        )
        for domain, category in DOMAIN_SENTINEL.items():
            word = SENTINELS[category]
            NeedFactory(episode=episode, assessment=multi, domain=domain, description=f"A {word}")
            NeedFactory(
                episode=episode, plan_version=version, domain=domain, description=f"P {word}"
            )
        goal = GoalFactory(plan_version=version, title="Objectif sentplanzq")
        ActionFactory(plan_version=version, goal=goal, description="Action sentplanzq")

        HospitalStayFactory(
            episode=episode, establishment_label="Clinique sentmedzq", reason="Chute sentmedzq"
        )
        request = SupportRequestFactory(dac=dac, person=person)
        ContactLogFactory(request=request, purpose="Appel sentsoczq", by=staff_author)

        meeting = MeetingFactory(
            dac=dac, held_at=timezone.now() - datetime.timedelta(days=2), organised_by=staff_author
        )
        MeetingSituationFactory(meeting=meeting, episode=episode, decisions="Décision sentplanzq")
        yield {
            "dac": dac,
            "person": person,
            "episode": episode,
            "multi": multi,
            "aggir": aggir,
            "version": version,
            "meeting": meeting,
        }
        transaction.set_rollback(True)


def _setup(data, profile: str, relationship: str):
    """A user of `profile` in `relationship` to the person; returns the membership."""
    person, episode, dac = data["person"], data["episode"], data["dac"]
    staff = profile in sharing_doc.STAFF_PROFILES
    if staff:
        membership = MembershipFactory(organisation=dac, role=profile)
        target = {"user": membership.user}
    else:
        membership = MembershipFactory(organisation=OrganisationFactory(), role=Role.PARTNER)
        professional = ProfessionalFactory(profession=profile, user=membership.user)
        target = {"professional": professional}

    def member(**extra):
        if not staff:
            CareCircleMemberFactory(
                circle=CareCircleFactory(person=person), professional=professional, **extra
            )

    def close_episode():
        CareEpisode.objects.filter(pk=episode.pk).update(
            status="closed", closed_on=timezone.localdate()
        )

    if relationship == "member":
        member()
    elif relationship == "restricted":
        member()
        ObjectionFactory(person=person, scope="restrict", categories=["plan"], **target)
    elif relationship == "emergency":
        close_episode()
        EmergencyAccessFactory(person=person, user=membership.user, role=membership.role)
    elif relationship == "left":
        close_episode()
        member(end_date=timezone.localdate() - datetime.timedelta(days=1))
    elif relationship == "outside":
        # The person was accompanied by another DAC: this DAC never was in the circle.
        other = OrganisationFactory(dac=True)
        CareEpisode.objects.filter(pk=episode.pk).update(dac=other)
        Meeting.objects.filter(pk=data["meeting"].pk).update(dac=other)
    elif relationship == "excluded":
        member()
        ObjectionFactory(person=person, scope="exclude", **target)
    else:
        raise ValueError(relationship)
    return membership


def _get(client, url) -> str:
    response = client.get(url)
    if response.status_code != 200:
        assert response.status_code in (403, 404), (url, response.status_code)
        return ""
    if response["Content-Type"].startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        return "".join(page.extract_text() for page in reader.pages)
    return response.content.decode()


def _pages(client, data) -> dict[str, str]:
    """The text each action shows, all its pages together."""
    person, episode = data["person"], data["episode"]
    ep = episode.pk
    view = [
        reverse("persons:detail", args=[person.pk]),
        reverse("care:episode_detail", args=[ep]),
        reverse("care:assessment_list", args=[ep]),
        reverse("care:assessment_detail", args=[ep, data["multi"].pk]),
        reverse("care:assessment_detail", args=[ep, data["aggir"].pk]),
        reverse("care:episode_meetings", args=[ep]),
        reverse("care:plan_detail", args=[ep]),
        reverse("care:plan_version", args=[ep, data["version"].number]),
        reverse("care:followup", args=[ep]),
    ]
    lists = [reverse("persons:list"), reverse("care:episode_list") + "?status=all"]
    # Searched by the start of the name (the page repeats what was typed).
    search = [reverse("persons:list") + "?q=Sentadm"]
    pdf = [
        reverse("care:plan_pdf", args=[ep, data["version"].number]),
        reverse("care:meeting_minutes", args=[data["meeting"].pk]) + f"?episode={ep}",
    ]
    return {
        action: _text("".join(_get(client, url) for url in urls))
        for action, urls in (("view", view), ("list", lists), ("search", search), ("pdf", pdf))
    }


def _expected(profile, category, action, relationship) -> bool:
    if relationship == "outside" and action == "pdf":
        # Outside the circle the person's care record is another DAC's: this DAC has no PPCS or
        # minutes of the person to print (the person's page, list and search still count).
        return False
    return sharing_doc.expected(profile, category, action, relationship)


@pytest.mark.postgresql_only  # about two minutes: run once, on the PostgreSQL pass
@pytest.mark.django_db
@pytest.mark.parametrize(("profile", "relationship"), CASES, ids=[f"{p}-{r}" for p, r in CASES])
def test_each_category_shows_as_docs_permissions_says(client, data, profile, relationship):
    membership = _setup(data, profile, relationship)
    client.force_login(membership.user)
    shown = _pages(client, data)
    wrong = [
        f"{action}/{category}: {'absent' if expected else 'shown'}"
        for action, text in shown.items()
        for category, word in SENTINELS.items()
        if (word in text) != (expected := _expected(profile, category, action, relationship))
    ]
    assert not wrong, f"{profile} ({relationship}) — " + "; ".join(wrong)


@pytest.mark.django_db
def test_the_dataset_holds_every_sentinel_for_a_coordinator(client, data):
    """The matrix's dataset is sound: a coordinator of the DAC sees every sentinel somewhere."""
    membership = MembershipFactory(organisation=data["dac"], role=Role.COORDINATOR)
    client.force_login(membership.user)
    shown = _pages(client, data)
    for category, word in SENTINELS.items():
        assert word in shown["view"], category
        assert word in shown["pdf"], category
    assert SENTINELS["administrative"] in shown["list"]
    assert SENTINELS["administrative"] in shown["search"]
