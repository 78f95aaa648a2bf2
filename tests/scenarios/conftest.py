"""Scenario tests replay the user journeys (S1–S8) in Chromium, on the demo territory and
directory (the persons and requests of each journey are created by the test, as users would)."""

from io import StringIO

import pytest

from appui.core.audit import audit_context
from appui.directory import demo as directory_demo
from appui.territory import demo as territory_demo


@pytest.fixture
def territory(transactional_db):
    """The demo DAC, its partners, professionals, accounts and directory."""
    with audit_context(user_label="seed_demo"):
        territory_demo.seed(StringIO())
        directory_demo.seed(StringIO())
