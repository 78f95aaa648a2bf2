import logging
import os

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import MembershipFactory

CHROMIUM = os.environ.get("APPUI_CHROMIUM", "/usr/bin/chromium")

OUR_TEMPLATES = str(settings.BASE_DIR / "appui" / "templates")


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres") as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        return [f"database: PostgreSQL {version} (throwaway server)"]
    return ["database: SQLite (embedded)"]


class UndefinedVariableHandler(logging.Handler):
    """Django logs (at DEBUG) each variable it cannot resolve; in our templates that is a bug."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.problems = []

    def emit(self, record):
        message = record.getMessage()
        if "Exception while resolving variable" not in message:
            return
        # Django's own admin and the DSFR package rely on optional variables; ours must not.
        template = message.rsplit("in template", 1)[-1].strip(" '.")
        if template.startswith(("admin/", "dsfr/", "django/", "registration/", "unknown")):
            return
        self.problems.append(message)


@pytest.fixture(autouse=True)
def strict_templates():
    handler = UndefinedVariableHandler()
    logger = logging.getLogger("django.template")
    previous, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # keep these debug lines out of the console
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    logger.setLevel(previous)
    logger.propagate = propagate
    assert not handler.problems, "Variables de gabarit indéfinies :\n" + "\n".join(handler.problems)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login(client):
    """Log a client in with a fresh user holding `role` (in an optional organisation)."""

    def _login(role, organisation=None, user=None, a_client=None):
        kwargs = {"role": role}
        if organisation is not None:
            kwargs["organisation"] = organisation
        if user is not None:
            kwargs["user"] = user
        membership = MembershipFactory(**kwargs)
        (a_client or client).force_login(membership.user)
        return membership

    return _login


def vendor():
    return connection.vendor


# --- Browser tests (Playwright driving Debian's Chromium) ---------------------------------


def pytest_collection_modifyitems(items):
    for item in items:
        path = str(item.fspath)
        if "/tests/browser/" in path or "/tests/scenarios/" in path or path.endswith("_browser.py"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # One Chromium for the whole session, shared by browser, scenario and app browser tests.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--lang=fr-FR",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Assertions wait as long as actions: a loaded machine answers an htmx search in more than
    # the default 5 s without anything being wrong.
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    yield page
    context.close()
