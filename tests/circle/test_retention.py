"""Retention: closed episodes past the period are archived (never deleted), read-only, out of
the lists, still in the export and in the file active of past years."""

import datetime
import io
import json
import zipfile
from datetime import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from appui.care import services
from appui.care.caseload import episode_list, file_active
from appui.care.models import CareEpisode
from appui.circle.exports import build_person_export
from appui.core.enums import Role
from appui.core.models import Event
from tests.factories import (
    CareEpisodeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True)


def closed(dac, on):
    return CareEpisodeFactory(
        person=PersonFactory(dac=dac),
        status="closed",
        opened_on=on - datetime.timedelta(days=200),
        closed_on=on,
        exit_reason="stabilised",
    )


def run(*args):
    out = io.StringIO()
    call_command("archive_closed_episodes", *args, stdout=out)
    return out.getvalue()


def test_command_archives_past_the_period_only(dac, settings, time_machine):
    settings.APPUI_RETENTION_YEARS = 20
    time_machine.move_to(dt(2026, 6, 1, 9, 0))
    old = closed(dac, datetime.date(2006, 5, 31))
    recent = closed(dac, datetime.date(2006, 6, 1))
    open_episode = CareEpisodeFactory(
        person=PersonFactory(dac=dac), opened_on=datetime.date(2000, 1, 1)
    )
    dry = run("--dry-run")
    assert f"accompagnement n° {old.pk}" in dry and "seraient archivés" in dry
    assert not CareEpisode.objects.filter(archived_at__isnull=False).exists()
    out = run()
    assert "1 accompagnement archivés" in out or "1 accompagnement archivé" in out
    old.refresh_from_db(), recent.refresh_from_db(), open_episode.refresh_from_db()
    assert old.archived_at is not None
    assert recent.archived_at is None and open_episode.archived_at is None
    assert Event.objects.filter(subject_id=str(old.pk), verb="archived_retention").exists()
    assert "Aucun accompagnement" in run()  # idempotent
    assert f"n° {recent.pk}" in run("--date", "2026-06-02")
    assert CareEpisode.objects.count() == 3  # never a deletion


def test_archived_episodes_are_read_only_hidden_and_still_exported(client, dac, time_machine):
    time_machine.move_to(dt(2026, 6, 1, 9, 0))
    episode = closed(dac, datetime.date(2005, 1, 10))
    run()
    episode.refresh_from_db()
    coordinator = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    # Read-only: one guard refuses every change, reopening included.
    with pytest.raises(ValidationError, match="archivé"):
        services.reopen_episode(coordinator, episode, reason="Nouvelle demande", level="short_term")
    with pytest.raises(ValidationError, match="archivé"):
        services.change_level(coordinator, episode, "long_term", reason="Aggravation")
    # Out of the lists, whatever the status filter.
    assert not episode_list(coordinator, status="").filter(pk=episode.pk).exists()
    assert not episode_list(coordinator, status="closed").filter(pk=episode.pk).exists()
    # The page says it, without edit buttons.
    client.force_login(coordinator.user)
    page = client.get(reverse("care:episode_detail", args=[episode.pk])).content.decode()
    assert "au terme de la durée de conservation" in page
    assert reverse("care:episode_reopen", args=[episode.pk]) not in page
    # History: the file active of 2004 still counts the person.
    assert file_active(dac, datetime.date(2004, 1, 1), datetime.date(2004, 12, 31)) == 1
    # Still in the person's export.
    director = MembershipFactory(organisation=dac, role=Role.DIRECTOR)
    data = build_person_export(episode.person, director)
    payload = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("donnees.json"))
    rows = payload["tables"]["care.careepisode"]["rows"]
    assert rows[0]["id"] == episode.pk and rows[0]["archived_at"]


def test_a_young_persons_file_waits_for_their_28th_birthday(dac, time_machine):
    time_machine.move_to(dt(2026, 6, 1, 9, 0))
    young = closed(dac, datetime.date(2005, 1, 10))
    young.person.birth_date = datetime.date(2000, 3, 1)  # 28 on 1 March 2028
    young.person.save()
    assert "Aucun accompagnement" in run()
    assert f"n° {young.pk}" in run("--date", "2028-03-02")
