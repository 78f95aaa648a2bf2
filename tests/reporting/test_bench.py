"""`make bench-indicators` at a small scale: the synthetic region is built with the expected
counts and consistent rows, every catalogue indicator is timed, the last line is the JSON summary."""

import importlib.util
import json
from pathlib import Path

import pytest
from django.db.models import F

from appui.care.models import Action, CareEpisode, CarePlan
from appui.core.models import AccessLog
from appui.intake.delays import answer_delay
from appui.intake.models import SupportRequest
from appui.persons.models import Person
from appui.reporting.indicators import catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql_only]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "indicators.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_indicators", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_run_prints_the_summary_on_its_last_line(capsys):
    bench = load_bench()

    assert bench.main(["--scale", "0.01", "--passes", "1", "--no-migrate"]) == 0

    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert {"persons", "indicators", "dac_year_s", "region_year_s"} <= result.keys()
    # 1 % of the full region: 30 000 persons, 100 000 requests, 20 000 PPCS, 200 000 actions,
    # 1 000 000 access-log rows.
    assert result["persons"] == 300 == Person.objects.count()
    assert result["requests"] == 1000 == SupportRequest.objects.count()
    assert result["plans"] == 200 == CarePlan.objects.count()
    assert result["actions"] == 2000 == Action.objects.count()
    assert result["log_events"] == 10_000 == AccessLog.objects.count()
    assert result["indicators"] == len(catalogue())
    assert result["errors"] == {}
    assert result["dac_year_s"] > 0 and result["region_year_s"] > 0
    # Every indicator's time is printed before the summary.
    printed = "\n".join(lines[:-1])
    assert all(indicator.code in printed for indicator in catalogue())


def test_generated_rows_are_consistent():
    bench = load_bench()
    bench.build_region(0.01, log=lambda message: None)

    # Working-day delays computed in SQL agree with the application's own rule (holidays).
    answered = SupportRequest.objects.filter(first_answered_at__isnull=False)
    assert answered.count() > 900
    for request in answered:
        assert request.first_answer_delay_days == answer_delay(
            request.received_at, request.first_answered_at
        )
    assert not answered.filter(first_answered_at__lt=F("received_at")).exists()
    # An episode opens after its request and closes after it opens; a reopening follows the
    # closing of the previous episode of the same person.
    episodes = CareEpisode.objects.select_related("request", "previous")
    assert episodes.filter(previous__isnull=False).exists()
    assert episodes.filter(opened_on__lt="2025-01-01", closed_on__isnull=True).exists()
    for episode in episodes:
        if episode.request is not None:
            assert episode.request.received_at.date() <= episode.opened_on
            assert episode.person_id == episode.request.person_id
        if episode.closed_on is not None:
            assert episode.closed_on >= episode.opened_on and episode.exit_reason
        if episode.previous is not None:
            assert episode.previous.closed_on < episode.opened_on
            assert episode.previous.person_id == episode.person_id
    # Each DAC's persons, requests and episodes stay within that DAC.
    assert not CareEpisode.objects.exclude(person__dac_id=F("dac_id")).exists()
    assert (
        not SupportRequest.objects.exclude(person__isnull=True)
        .exclude(person__dac_id=F("dac_id"))
        .exists()
    )
