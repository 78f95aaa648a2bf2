"""Logs in as each demo role, follows every link reachable from the home page, and checks that no
page fails, every page is French, and every professional shown on a page was logged as read."""

import re
from collections import deque
from html import unescape
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings

from appui.accounts.models import User
from appui.core.enums import AccessAction
from appui.core.models import AccessLog
from appui.territory.demo import ACCOUNTS, DEMO_PASSWORD, DOMAIN
from appui.territory.models import Professional

HREF = re.compile(r'href="([^"]+)"')
SKIP_PREFIXES = ("/static/", "/compte/deconnexion/", "/django-admin/")
MAX_PAGES = 250
MAX_VARIANTS_PER_PATH = 6


def demo_emails():
    from appui.circle.demo import PARTNERS

    # The territory's accounts, and the partners of M. Benali's care circle (one of them limited
    # by his objection): every page they reach obeys the sharing rules and the access log.
    return [local if "@" in local else f"{local}@{DOMAIN}" for local, *_ in ACCOUNTS] + [
        f"{local}@{DOMAIN}" for local, *_ in PARTNERS
    ]


def links(html: str) -> list[str]:
    found = []
    for raw in HREF.findall(html):
        url = urldefrag(unescape(raw))[0]
        if url.startswith("/") and not url.startswith("//") and not url.startswith(SKIP_PREFIXES):
            found.append(url)
    return found


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for all the roles (each crawl runs in a transaction rolled back at
    its end); emptied afterwards, as a transactional test leaves the database."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the tests' own setting
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        call_command("seed_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize("email", demo_emails())
def test_crawl_as_each_demo_role(demo, client, email):
    response = client.post("/compte/connexion/", {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"connexion impossible pour {email}"
    user_id = client.session["_auth_user_id"]
    # Every name of a personal-data record, with the records that carry it (a professional and
    # their user account share a name): a page showing the name must have logged one of them.
    records: dict[str, list[tuple[str, str]]] = {}
    for p in Professional.objects.exclude(user_id=user_id):
        records.setdefault(f"{p.first_name} {p.last_name}", []).append(
            ("territory.professional", str(p.pk))
        )
    for u in User.objects.exclude(pk=user_id):
        records.setdefault(f"{u.first_name} {u.last_name}", []).append(("accounts.user", str(u.pk)))
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
        assert response.status_code == 200, f"{email} : {url} répond {response.status_code}"
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        assert '<html lang="fr"' in html, f"{url} n'est pas déclarée en français"
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        final = final.split("#", 1)[0]  # a fragment never reaches the server (nor its log)
        logged = set(
            AccessLog.objects.filter(
                action=AccessAction.READ, user_id=user_id, path=final
            ).values_list("object_type", "object_id")
        )
        for name, carriers in records.items():
            if name in html:
                assert logged & set(carriers), (
                    f"{final} montre {name} sans trace dans le journal des accès"
                )
        queue.extend(u for u in links(html) if u not in seen)
    assert len(seen) > 3, f"{email} n'atteint presque aucune page"
