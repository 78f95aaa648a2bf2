"""The work queue: counts per status, filters, sorting, pagination, overdue requests, live
updates, the home page alert — and a bounded query count with 500 requests."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.intake import services
from appui.intake.models import RequestReason, SupportRequest
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("intake:queue")
RESULTS = reverse("intake:queue_results")
NUMBER = re.compile(r">(Q-\d{3})<")


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True)


@pytest.fixture
def me(dac, login):
    return login(Role.COORDINATOR, organisation=dac)


@pytest.fixture
def colleague(dac):
    return MembershipFactory(organisation=dac, role=Role.CASE_MANAGER).user


@pytest.fixture
def make(dac):
    person = PersonFactory(dac=dac, birth_name="MARTIN", first_name="Lucienne")
    professional = ProfessionalFactory(first_name="Hugo", last_name="Lambert")
    counter = iter(range(1, 10_000))

    def _make(hours_ago=1, due_in_hours=48, **fields):
        now = timezone.now()
        fields.setdefault("number", f"Q-{next(counter):03d}")
        return SupportRequestFactory(
            dac=dac,
            person=person,
            requester_professional=professional,
            received_at=now - timedelta(hours=hours_ago),
            answer_due_at=now + timedelta(hours=due_in_hours),
            **fields,
        )

    return _make


def text(response) -> str:
    return unescape(response.content.decode())


def numbers(response) -> list[str]:
    return NUMBER.findall(response.content.decode())


# --- Counts and statuses ---------------------------------------------------------------------


def test_default_view_shows_open_requests_with_counts_per_status(client, me, make):
    make(number="Q-001", status="new")
    make(number="Q-002", status="in_analysis")
    make(number="Q-003", status="answered", first_answered_at=timezone.now())
    make(number="Q-004", status="closed")
    make(number="Q-005", status="new")
    page = client.get(URL)
    assert sorted(numbers(page)) == ["Q-001", "Q-002", "Q-005"]
    html = text(page)
    assert "À traiter (3)" in html
    assert "Nouvelle (2)" in html and "En analyse (1)" in html
    assert "Répondue (1)" in html and "Clôturée (1)" in html and "Toutes (5)" in html
    assert 'aria-current="page">À traiter (3)' in html


def test_status_tab(client, me, make):
    make(number="Q-001", status="new")
    make(number="Q-002", status="answered", first_answered_at=timezone.now())
    assert numbers(client.get(URL, {"status": "answered"})) == ["Q-002"]
    assert sorted(numbers(client.get(URL, {"status": "all"}))) == ["Q-001", "Q-002"]


def test_other_dacs_requests_are_not_shown(client, me, make):
    make(number="Q-001")
    SupportRequestFactory(number="Q-999")  # another DAC
    page = client.get(URL, {"status": "all"})
    assert numbers(page) == ["Q-001"]
    assert "Toutes (1)" in text(page)


# --- Filters ---------------------------------------------------------------------------------


def test_assignee_filter(client, me, colleague, make):
    make(number="Q-001", assigned_to=me.user)
    make(number="Q-002", assigned_to=colleague)
    make(number="Q-003")
    assert numbers(client.get(URL, {"assignee": "me"})) == ["Q-001"]
    assert numbers(client.get(URL, {"assignee": "none"})) == ["Q-003"]
    assert numbers(client.get(URL, {"assignee": str(colleague.pk)})) == ["Q-002"]
    page = text(client.get(URL))
    assert "Mes demandes" in page and colleague.get_full_name() in page


def test_counts_follow_the_other_filters(client, me, make):
    make(number="Q-001", assigned_to=me.user, status="new")
    make(number="Q-002", status="new")
    assert "À traiter (1)" in text(client.get(URL, {"assignee": "me"}))


def test_urgency_filter(client, me, make):
    make(number="Q-001", urgency="urgent")
    make(number="Q-002")
    assert numbers(client.get(URL, {"urgency": "urgent"})) == ["Q-001"]
    assert numbers(client.get(URL, {"urgency": "normal"})) == ["Q-002"]


def test_age_filter(client, me, make):
    make(number="Q-001", hours_ago=3)
    make(number="Q-002", hours_ago=24 * 3)
    make(number="Q-003", hours_ago=24 * 10)
    assert numbers(client.get(URL, {"age": "lt24h"})) == ["Q-001"]
    assert sorted(numbers(client.get(URL, {"age": "gt2d"}))) == ["Q-002", "Q-003"]
    assert numbers(client.get(URL, {"age": "gt7d"})) == ["Q-003"]


def test_origin_filter(client, me, make):
    make(number="Q-001", requester_kind="carer", requester_name="Sophie Roux")
    make(number="Q-002")
    assert numbers(client.get(URL, {"origin": "carer"})) == ["Q-001"]


def test_an_unknown_filter_value_is_ignored(client, me, make):
    make(number="Q-001")
    response = client.get(URL, {"assignee": "abc", "sort": "nimporte"})
    assert response.status_code == 200
    assert numbers(response) == ["Q-001"]


# --- Overdue ---------------------------------------------------------------------------------


def test_overdue_requests_are_highlighted_and_counted(client, me, make):
    make(number="Q-001", due_in_hours=-5, assigned_to=me.user)
    make(number="Q-002", due_in_hours=-30)
    make(number="Q-003", due_in_hours=-2, status="in_analysis")
    make(number="Q-004", due_in_hours=5)
    # answered in time or closed: not overdue
    make(number="Q-005", due_in_hours=-5, status="answered", first_answered_at=timezone.now())
    make(number="Q-006", due_in_hours=-5, status="closed")
    page = client.get(URL)
    html = text(page)
    assert "3 demandes ont dépassé le délai de première réponse" in html
    assert "Dont 1 qui vous est attribuée." in html
    rows = re.findall(r'<tr( class="appui-overdue")?>\s*<td><a [^>]*>(Q-\d{3})<', html)
    highlighted = {number for css, number in rows if css}
    assert highlighted == {"Q-001", "Q-002", "Q-003"}
    assert html.count("En retard</p>") == 3
    assert sorted(numbers(client.get(URL, {"overdue": "on", "status": "all"}))) == [
        "Q-001",
        "Q-002",
        "Q-003",
    ]


def test_no_alert_without_overdue_requests(client, me, make):
    make(number="Q-001", due_in_hours=5)
    assert "dépassé le délai" not in text(client.get(URL))


def test_one_overdue_request_is_said_in_the_singular(client, me, make):
    make(number="Q-001", due_in_hours=-5)
    assert "1 demande a dépassé le délai de première réponse" in text(client.get(URL))


# --- Sorting and pagination --------------------------------------------------------------------


def test_sorting(client, me, make):
    make(number="Q-001", hours_ago=5, due_in_hours=30)
    make(number="Q-002", hours_ago=1, due_in_hours=10)
    make(number="Q-003", hours_ago=3, due_in_hours=50, urgency="urgent")
    assert numbers(client.get(URL)) == ["Q-002", "Q-003", "Q-001"]
    assert numbers(client.get(URL, {"sort": "oldest"})) == ["Q-001", "Q-003", "Q-002"]
    assert numbers(client.get(URL, {"sort": "due"})) == ["Q-002", "Q-001", "Q-003"]
    assert numbers(client.get(URL, {"sort": "urgency"})) == ["Q-003", "Q-002", "Q-001"]


def test_pagination_keeps_the_filters(client, me, make, settings):
    for n in range(30):
        make(number=f"Q-{n + 1:03d}", hours_ago=n + 1, urgency="urgent")
    make(number="Q-099")  # not urgent
    first = client.get(URL, {"urgency": "urgent"})
    assert len(numbers(first)) == settings.APPUI_PAGE_SIZE
    assert "1 / 2" in text(first)
    assert "?urgency=urgent&page=2" in text(first)
    second = client.get(URL, {"urgency": "urgent", "page": 2})
    assert numbers(second) == [f"Q-{n:03d}" for n in range(26, 31)]


# --- Live updates -----------------------------------------------------------------------------


def test_results_fragment_refreshes_itself_with_the_same_filters(client, me, make):
    make(number="Q-001", urgency="urgent")
    response = client.get(RESULTS, {"urgency": "urgent"})
    html = text(response)
    assert "<html" not in html
    assert 'hx-trigger="every 60s"' in html
    assert f'hx-get="{RESULTS}?urgency=urgent"' in html
    assert numbers(response) == ["Q-001"]
    assert "HX-Push-Url" not in response  # a refresh does not change the address


def test_filters_push_the_queue_address(client, me):
    response = client.get(
        RESULTS,
        {"urgency": "urgent"},
        headers={"HX-Request": "true", "HX-Trigger": "queue-filters"},
    )
    assert response["HX-Push-Url"] == f"{URL}?urgency=urgent"


def test_the_page_works_without_javascript(client, me):
    html = text(client.get(URL))
    assert f'<form method="get" action="{URL}" id="queue-filters"' in html
    assert f'hx-get="{RESULTS}"' in html


# --- Who sees the queue ----------------------------------------------------------------------


def test_a_partner_is_sent_to_their_requests(client, login):
    login(Role.PARTNER)
    response = client.get(URL, {"status": "all", "assignee": "none"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "intake:partner_requests"
    )
    assert client.get(RESULTS).status_code == 403


@pytest.mark.parametrize("role", [Role.REGIONAL_PILOT, Role.ADMIN])
def test_roles_without_requests_are_refused(client, login, role):
    login(role)
    assert client.get(URL).status_code == 403
    assert client.get(RESULTS).status_code == 403


# --- Scale -----------------------------------------------------------------------------------


def test_query_count_is_bounded_with_500_requests(
    client, dac, me, colleague, django_assert_max_num_queries
):
    person = PersonFactory(dac=dac)
    professional = ProfessionalFactory()
    services.ensure_default_reasons(dac)
    reasons = list(RequestReason.objects.filter(dac=dac)[:3])
    now = timezone.now()
    statuses = ["new", "in_analysis", "answered", "closed", "referred"]
    requests = SupportRequest.objects.bulk_create(
        SupportRequest(
            dac=dac,
            number=f"2026-{n:05d}",
            channel="phone",
            received_at=now - timedelta(hours=n),
            answer_due_at=now + timedelta(hours=48 - n),
            requester_kind=["professional", "carer", "organisation"][n % 3],
            requester_professional=professional,
            requester_name="Demandeur",
            person=person if n % 4 else None,
            proposed_person={} if n % 4 else {"birth_name": "Roux", "first_name": "Jeanne"},
            description="Situation",
            urgency="urgent" if n % 7 == 0 else "normal",
            status=statuses[n % 5],
            assigned_to=[None, me.user, colleague][n % 3],
        )
        for n in range(500)
    )
    Through = SupportRequest.reasons.through
    Through.objects.bulk_create(
        Through(supportrequest_id=r.pk, requestreason_id=reason.pk)
        for r in requests
        for reason in reasons[: 1 + r.pk % 3]
    )
    for params in [
        {},
        {"status": "all", "sort": "due"},
        {"assignee": "me", "urgency": "urgent", "overdue": "on", "status": "all"},
        {"age": "gt2d", "origin": "carer", "sort": "urgency", "page": "3"},
    ]:
        with django_assert_max_num_queries(14):
            response = client.get(URL, params)
        assert response.status_code == 200
        with django_assert_max_num_queries(14):
            assert client.get(RESULTS, params).status_code == 200
    assert "À traiter (200)" in text(client.get(URL))


def test_each_filter_is_backed_by_an_index():
    indexes = [tuple(index.fields) for index in SupportRequest._meta.indexes]
    for column in ["status", "assigned_to", "urgency", "requester_kind", "answer_due_at"]:
        assert any(fields[0] == "dac" and column in fields for fields in indexes), column
    assert ("dac", "received_at") in indexes  # age and sorting by date


# --- The home page -----------------------------------------------------------------------------


def test_home_page_alerts_staff_about_overdue_requests(client, me, make):
    make(number="Q-001", due_in_hours=-5, assigned_to=me.user)
    make(number="Q-002", due_in_hours=-5)
    make(number="Q-003")
    html = text(client.get(reverse("core:home")))
    assert "2 demandes ont dépassé le délai de première réponse" in html
    assert "Dont 1 qui vous est attribuée." in html
    assert "Non attribuées : 2" in html and "Mes demandes en cours : 1" in html


def test_home_page_without_overdue_requests(client, me, make):
    make(number="Q-001")
    html = text(client.get(reverse("core:home")))
    assert "Aucune demande n'a dépassé le délai de première réponse." in html


def test_home_page_panel_of_a_partner(client, login):
    membership = login(Role.PARTNER)
    SupportRequestFactory(submitted_by=membership.user)
    SupportRequestFactory(submitted_by=membership.user, status="closed")
    SupportRequestFactory()  # someone else's
    html = text(client.get(reverse("core:home")))
    assert "Vos demandes au DAC" in html
    assert "1 demande en cours de traitement sur 2." in html
    assert reverse("intake:partner_create") in html


def test_home_page_has_no_panel_for_the_regional_pilot(client, login):
    login(Role.REGIONAL_PILOT)
    html = text(client.get(reverse("core:home")))
    assert "délai de première réponse" not in html and "Vos demandes au DAC" not in html


# --- Technical administration -----------------------------------------------------------------


def test_admin_shows_requests_read_only(client, make):
    from appui.accounts.models import User

    request = make(number="Q-001")
    admin = User.objects.create_superuser("technique@appui.test", "Mot-de-passe-solide-1")
    client.force_login(admin)
    assert client.get("/django-admin/intake/supportrequest/").status_code == 200
    page = client.get(f"/django-admin/intake/supportrequest/{request.pk}/change/")
    assert page.status_code == 200 and "Q-001" in text(page)
    assert client.get("/django-admin/intake/supportrequest/add/").status_code == 403
    assert (
        client.post(f"/django-admin/intake/supportrequest/{request.pk}/delete/").status_code == 403
    )
    for model in ["requestreason", "intakesettings", "requestresponse", "contactlog"]:
        assert client.get(f"/django-admin/intake/{model}/").status_code == 200
