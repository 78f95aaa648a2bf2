"""S5: M. Benali objects to any sharing with Dr Morel. Crawled as Dr Morel (every link reachable
from the home page, like tests/test_crawler.py), the demo never names him, and every page of his
record — collected beforehand as the DAC's coordinator — answers 403 or 404."""

import re
from collections import deque
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from appui.accounts.models import User
from appui.care.models import CareEpisode, CarePlanVersion, MeetingSituation
from appui.circle.models import Objection
from appui.intake.models import SupportRequest
from appui.persons.models import Person
from appui.territory.demo import DEMO_PASSWORD, DOMAIN
from appui.territory.models import Professional
from tests.test_crawler import MAX_PAGES, MAX_VARIANTS_PER_PATH, links

NAME = re.compile(r"benali", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        call_command("seed_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _login(client, local: str) -> None:
    response = client.post(
        "/compte/connexion/", {"username": f"{local}@{DOMAIN}", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, local


def _benali_urls() -> list[str]:
    """The pages of M. Benali's record: his page, each episode's tabs, assessments, PPCS
    versions and PDFs, concertation minutes, and his requests."""
    person = Person.objects.get(birth_name="BENALI", first_name="Ahmed")
    urls = [reverse("persons:detail", args=[person.pk])]
    for episode in CareEpisode.objects.filter(person=person):
        ep = episode.pk
        urls += [
            reverse(name, args=[ep])
            for name in (
                "care:episode_detail",
                "care:assessment_list",
                "care:episode_meetings",
                "care:plan_detail",
                "care:plan_compare",
                "care:followup",
            )
        ]
        urls += [
            reverse("care:assessment_detail", args=[ep, a.pk]) for a in episode.assessments.all()
        ]
        for version in CarePlanVersion.objects.filter(plan__episode=episode):
            urls += [
                reverse("care:plan_version", args=[ep, version.number]),
                reverse("care:plan_pdf", args=[ep, version.number]),
            ]
        urls += [
            reverse("care:meeting_minutes", args=[s.meeting_id]) + f"?episode={ep}"
            for s in MeetingSituation.objects.filter(episode=episode)
        ]
    urls += [
        reverse("intake:request_detail", args=[pk])
        for pk in SupportRequest.objects.filter(person=person).values_list("pk", flat=True)
    ]
    return urls


@pytest.mark.django_db
def test_an_excluded_gp_never_meets_the_person(demo, client):
    person = Person.objects.get(birth_name="BENALI", first_name="Ahmed")
    morel = User.objects.get(email=f"dr.morel@{DOMAIN}")
    assert person.gp.user_id == morel.pk  # the GP of the scenario, in his circle until now

    urls = _benali_urls()
    _login(client, "coordination")
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.logout()

    # Before the objection, Dr Morel reaches M. Benali's record (the test means something).
    _login(client, "dr.morel")
    assert client.get(urls[0]).status_code == 200
    Objection.objects.create(
        person=person,
        user=morel,
        professional=Professional.objects.get(user=morel),
        scope="exclude",
        expressed_on=timezone.localdate(),
        expressed_how="oral",
        recorded_by=User.objects.get(email=f"coordination@{DOMAIN}"),
    )

    for url in urls:
        status = client.get(url).status_code
        assert status in (403, 404), f"{url} répond {status} à Dr Morel, exclu par M. Benali"

    seen, per_path, queue = set(), {}, deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        path = urlsplit(url).path
        per_path[path] = per_path.get(path, 0) + 1
        if per_path[path] > MAX_VARIANTS_PER_PATH:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{url} répond {response.status_code}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if not response["Content-Type"].startswith("text/html"):
            assert not NAME.search(body.decode("latin-1")), url
            continue
        html = body.decode()
        assert not NAME.search(html), f"{url} nomme M. Benali, qui a exclu Dr Morel"
        queue.extend(u for u in links(html) if u not in seen)
    assert len(seen) > 3
