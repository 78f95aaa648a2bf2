"""The alerts engine: each cause raises its alert at the right moment (not before), the alert is
resolved when its cause is gone, an acknowledgement holds while the cause lasts, a run is
idempotent and its number of queries does not grow with the number of episodes."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appui.care.alerts import acknowledge_alert, alerts_for, compute_alerts
from appui.care.enums import AlertKind, AlertStatus
from appui.care.models import Alert, CareSettings
from appui.core.enums import Role
from appui.core.models import AccessLog, Event
from tests.factories import (
    ActionFactory,
    AssessmentFactory,
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    ContactLogFactory,
    LevelChangeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

PARIS = ZoneInfo("Europe/Paris")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def live(episode, kind=None):
    alerts = Alert.objects.filter(episode=episode).exclude(status=AlertStatus.RESOLVED)
    if kind:
        alerts = alerts.filter(kind=kind)
    return list(alerts)


def kinds(episode) -> set:
    return {alert.kind for alert in live(episode)}


def contact(episode, when):
    fields = {"by": episode.referent} if episode.referent_id else {}
    return ContactLogFactory(
        request=None, dac=episode.dac, person=episode.person, at=when, **fields
    )


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True, name="DAC du Douaisis")


@pytest.fixture
def coordinator(dac):
    return MembershipFactory(organisation=dac, role=Role.COORDINATOR)


@pytest.fixture
def episode_of(dac, coordinator):
    def make(**fields):
        fields.setdefault("referent", coordinator.user)
        return CareEpisodeFactory(person=PersonFactory(dac=dac), **fields)

    return make


def active_plan(episode, **fields):
    return CarePlanVersionFactory(
        plan=CarePlanFactory(episode=episode), status="active", number=1, **fields
    )


# --- S3: urgent level set on a Friday evening -------------------------------------------------


@pytest.mark.django_db
def test_s3_urgent_reassessments_at_24h_and_48h(time_machine, episode_of):
    friday = at(2026, 3, 13, 17, 10)
    time_machine.move_to(friday, tick=False)
    episode = episode_of(level="urgent", level_since=friday)
    LevelChangeFactory(episode=episode, level="urgent", previous_level="", changed_at=friday)
    contact(episode, friday)

    compute_alerts(now=at(2026, 3, 14, 17, 0))
    assert kinds(episode) == set()

    time_machine.move_to(at(2026, 3, 14, 17, 11), tick=False)
    compute_alerts()
    assert kinds(episode) == {AlertKind.URGENT_24H}
    (alert,) = live(episode)
    assert alert.message == (
        "Urgence depuis le 13/03/2026 à 17:10 : pas de réévaluation à 24 h "
        "(attendue le 14/03/2026 à 17:10)"
    )
    assert alert.dac_id == episode.dac_id

    time_machine.move_to(at(2026, 3, 15, 17, 11), tick=False)
    compute_alerts()
    assert kinds(episode) == {AlertKind.URGENT_24H, AlertKind.URGENT_48H}

    # The situation enters level 2: both alerts are resolved.
    time_machine.move_to(at(2026, 3, 15, 18, 0), tick=False)
    episode.level = "short_term"
    episode.save()
    LevelChangeFactory(episode=episode, level="short_term", previous_level="urgent")
    summary = compute_alerts()
    assert kinds(episode) == set()
    assert summary.resolved == 2
    resolved = Alert.objects.filter(episode=episode, status=AlertStatus.RESOLVED)
    assert {a.kind for a in resolved} == {AlertKind.URGENT_24H, AlertKind.URGENT_48H}
    assert all(a.resolved_at == at(2026, 3, 15, 18, 0) for a in resolved)


@pytest.mark.django_db
def test_an_assessment_completed_in_the_first_day_spares_the_24h_alert_not_the_48h(
    time_machine, episode_of
):
    friday = at(2026, 3, 13, 17, 10)
    time_machine.move_to(friday, tick=False)
    episode = episode_of(level="urgent", level_since=friday)
    LevelChangeFactory(episode=episode, level="urgent", changed_at=friday)
    AssessmentFactory(episode=episode, status="completed", completed_at=at(2026, 3, 14, 10, 0))

    compute_alerts(now=at(2026, 3, 14, 17, 30))
    assert AlertKind.URGENT_24H not in kinds(episode)
    compute_alerts(now=at(2026, 3, 15, 17, 30))
    assert AlertKind.URGENT_48H in kinds(episode)

    # A reassessment during the second day resolves it.
    AssessmentFactory(episode=episode, status="completed", completed_at=at(2026, 3, 15, 18, 0))
    compute_alerts(now=at(2026, 3, 15, 18, 5))
    assert AlertKind.URGENT_48H not in kinds(episode)


# --- S2: a PPCS action that did not happen ----------------------------------------------------


@pytest.mark.django_db
def test_s2_apa_application_not_filed_a_month_later(time_machine, episode_of):
    time_machine.move_to(at(2026, 2, 13, 10, 0), tick=False)
    episode = episode_of()
    version = active_plan(episode, review_on=datetime.date(2026, 8, 13))
    action = ActionFactory(
        plan_version=version,
        description="Dépôt du dossier APA",
        due_on=datetime.date(2026, 3, 15),
        kind="support",
    )
    contact(episode, at(2026, 2, 13, 9, 0))

    compute_alerts()
    assert kinds(episode) == set()
    time_machine.move_to(at(2026, 3, 15, 23, 0), tick=False)
    contact(episode, at(2026, 3, 15, 9, 0))
    compute_alerts()
    assert kinds(episode) == set()  # due today: not overdue yet

    time_machine.move_to(at(2026, 3, 16, 8, 0), tick=False)
    compute_alerts()
    (alert,) = live(episode)
    assert alert.kind == AlertKind.ACTION_OVERDUE
    assert (
        alert.message == "Action « Dépôt du dossier APA » non réalisée à l'échéance du 15/03/2026"
    )
    assert alert.due_on == datetime.date(2026, 3, 15)
    assert alert.status == AlertStatus.OPEN

    # Marked not done: the overdue alert gives way to the "not done" one, with the reason.
    action.status, action.not_done_reason = "not_done", "La personne refuse la démarche"
    action.save()
    compute_alerts()
    (alert,) = live(episode)
    assert alert.kind == AlertKind.ACTION_NOT_DONE
    assert alert.message == (
        "Action « Dépôt du dossier APA » déclarée non réalisée : La personne refuse la démarche"
    )

    # Done at last: nothing left.
    action.status = "done"
    action.save()
    compute_alerts()
    assert live(episode) == []


@pytest.mark.django_db
def test_actions_of_a_superseded_or_draft_version_raise_nothing(time_machine, episode_of):
    time_machine.move_to(at(2026, 3, 20, 10, 0), tick=False)
    episode = episode_of()
    contact(episode, at(2026, 3, 20, 9, 0))
    plan = CarePlanFactory(episode=episode)
    old = CarePlanVersionFactory(plan=plan, number=1, status="superseded")
    draft = CarePlanVersionFactory(plan=plan, number=2, status="draft")
    for version in (old, draft):
        ActionFactory(plan_version=version, due_on=datetime.date(2026, 3, 1))
    compute_alerts()
    assert kinds(episode) == set()


# --- Review date of the PPCS ------------------------------------------------------------------


@pytest.mark.django_db
def test_review_soon_then_passed(time_machine, episode_of, dac):
    time_machine.move_to(at(2026, 4, 1, 9, 0), tick=False)
    episode = episode_of()
    contact(episode, at(2026, 4, 1, 8, 0))
    active_plan(episode, review_on=datetime.date(2026, 4, 30))

    compute_alerts(now=at(2026, 4, 14, 9, 0))  # 16 days before
    assert kinds(episode) == set()
    compute_alerts(now=at(2026, 4, 15, 9, 0))  # 15 days before (the default threshold)
    (alert,) = live(episode)
    assert alert.kind == AlertKind.REVIEW_SOON
    assert alert.message == "Révision du PPCS (version 1) prévue le 30/04/2026"

    compute_alerts(now=at(2026, 4, 30, 20, 0))
    assert kinds(episode) == {AlertKind.REVIEW_SOON}
    compute_alerts(now=at(2026, 5, 1, 9, 0))
    (alert,) = live(episode, AlertKind.REVIEW_PASSED)
    assert alert.message == "Date de révision du PPCS (version 1) dépassée : prévue le 30/04/2026"
    assert AlertKind.REVIEW_SOON not in kinds(episode)


@pytest.mark.django_db
def test_review_warning_follows_the_dac_settings(time_machine, episode_of, dac):
    CareSettings.objects.create(dac=dac, review_warning_days=30)
    time_machine.move_to(at(2026, 4, 1, 9, 0), tick=False)
    episode = episode_of()
    contact(episode, at(2026, 4, 1, 8, 0))
    active_plan(episode, review_on=datetime.date(2026, 4, 30))
    compute_alerts()
    assert kinds(episode) == {AlertKind.REVIEW_SOON}


# --- Reassessment -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_reassessment_after_twelve_months(time_machine, episode_of):
    time_machine.move_to(at(2026, 1, 19, 9, 0), tick=False)
    episode = episode_of(opened_on=datetime.date(2025, 1, 10))
    contact(episode, at(2026, 1, 19, 8, 0))
    AssessmentFactory(
        episode=episode,
        status="completed",
        assessed_on=datetime.date(2025, 1, 20),
        completed_at=at(2025, 1, 20, 12, 0),
    )
    AssessmentFactory(episode=episode, status="draft", assessed_on=datetime.date(2025, 12, 1))

    compute_alerts()
    assert kinds(episode) == set()
    compute_alerts(now=at(2026, 1, 20, 9, 0))
    (alert,) = live(episode)
    assert alert.kind == AlertKind.NO_REASSESSMENT
    assert alert.message == (
        "Dernière évaluation le 20/01/2025 : réévaluation attendue depuis le 20/01/2026 "
        "(au moins tous les 12 mois)"
    )

    AssessmentFactory(
        episode=episode,
        status="completed",
        assessed_on=datetime.date(2026, 1, 20),
        completed_at=at(2026, 1, 20, 11, 0),
    )
    compute_alerts(now=at(2026, 1, 20, 12, 0))
    assert live(episode) == []


@pytest.mark.django_db
def test_episode_younger_than_the_reassessment_period_has_no_such_alert(time_machine, episode_of):
    time_machine.move_to(at(2026, 1, 19, 9, 0), tick=False)
    episode = episode_of(opened_on=datetime.date(2025, 6, 1))
    contact(episode, at(2026, 1, 19, 8, 0))
    compute_alerts()
    assert kinds(episode) == set()


# --- No contact -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_contact_per_dac_threshold_and_resolution(time_machine, episode_of, dac):
    CareSettings.objects.create(dac=dac, no_contact_days=10)
    time_machine.move_to(at(2026, 5, 1, 9, 0), tick=False)
    episode = episode_of(opened_on=datetime.date(2026, 4, 1))
    contact(episode, at(2026, 5, 1, 8, 0))
    other_dac_episode = CareEpisodeFactory(opened_on=datetime.date(2026, 4, 1))
    contact(other_dac_episode, at(2026, 5, 1, 8, 0))

    compute_alerts(now=at(2026, 5, 10, 23, 0))
    assert kinds(episode) == set()
    compute_alerts(now=at(2026, 5, 11, 0, 5))
    (alert,) = live(episode)
    assert alert.kind == AlertKind.NO_CONTACT
    assert alert.message == "Pas de contact depuis le 01/05/2026 (plus de 10 jours)"
    assert kinds(other_dac_episode) == set()  # its DAC keeps the default 30 days

    time_machine.move_to(at(2026, 5, 11, 10, 0), tick=False)
    contact(episode, at(2026, 5, 11, 9, 30))
    compute_alerts()
    assert live(episode) == []
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.RESOLVED


@pytest.mark.django_db
def test_no_contact_counts_from_inclusion_when_the_log_is_empty(time_machine, episode_of):
    time_machine.move_to(at(2026, 5, 1, 9, 0), tick=False)
    episode = episode_of(opened_on=datetime.date(2026, 4, 1))
    compute_alerts()
    (alert,) = live(episode)
    assert alert.message == "Aucun contact noté depuis l'inclusion le 01/04/2026 (plus de 30 jours)"


# --- Acknowledgement, idempotence, closed episodes --------------------------------------------


@pytest.mark.django_db
def test_acknowledged_alert_stays_acknowledged_then_a_new_occurrence_is_a_new_alert(
    time_machine, episode_of, coordinator
):
    time_machine.move_to(at(2026, 5, 1, 9, 0), tick=False)
    episode = episode_of(opened_on=datetime.date(2026, 3, 1))
    contact(episode, at(2026, 3, 20, 9, 0))
    compute_alerts()
    (alert,) = live(episode)

    acknowledge_alert(coordinator, alert, "Appel prévu demain matin avec la fille.")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == coordinator.user
    assert alert.comment == "Appel prévu demain matin avec la fille."
    event = Event.objects.get(verb="alert_acknowledged")
    assert event.subject_id == str(episode.pk)
    assert event.data["comment"] == "Appel prévu demain matin avec la fille."

    time_machine.move_to(at(2026, 5, 2, 9, 0), tick=False)
    summary = compute_alerts()
    assert summary.raised_total == 0
    assert [a.pk for a in live(episode)] == [alert.pk]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED

    contact(episode, at(2026, 5, 2, 8, 30))
    compute_alerts()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED

    # A new silence, a month later: a new alert, to handle.
    compute_alerts(now=at(2026, 6, 2, 9, 0))
    (again,) = live(episode)
    assert again.pk != alert.pk
    assert again.status == AlertStatus.OPEN


@pytest.mark.django_db
def test_acknowledge_needs_a_comment_and_the_right(episode_of, dac):
    episode = episode_of(opened_on=datetime.date(2020, 1, 1))
    compute_alerts()
    alert = live(episode)[0]
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        acknowledge_alert(assistant, alert, "Vu")
    coordinator = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    with pytest.raises(ValidationError) as refused:
        acknowledge_alert(coordinator, alert, "  ")
    assert "comment" in refused.value.error_dict
    other = MembershipFactory(role=Role.COORDINATOR)  # another DAC
    with pytest.raises(PermissionDenied):
        acknowledge_alert(other, alert, "Vu")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.django_db
def test_running_twice_raises_nothing_new(time_machine, episode_of):
    time_machine.move_to(at(2026, 5, 1, 9, 0), tick=False)
    episode = episode_of(opened_on=datetime.date(2024, 1, 1), level="urgent")
    LevelChangeFactory(episode=episode, level="urgent", changed_at=at(2026, 4, 28, 9, 0))
    version = active_plan(episode, review_on=datetime.date(2026, 4, 1))
    ActionFactory(plan_version=version, due_on=datetime.date(2026, 4, 15))
    ActionFactory(plan_version=version, status="not_done")

    first = compute_alerts()
    assert first.raised_total == 7
    assert kinds(episode) == {
        AlertKind.NO_CONTACT,
        AlertKind.NO_REASSESSMENT,
        AlertKind.URGENT_24H,
        AlertKind.URGENT_48H,
        AlertKind.REVIEW_PASSED,
        AlertKind.ACTION_OVERDUE,
        AlertKind.ACTION_NOT_DONE,
    }
    events = Event.objects.filter(verb="alert_raised").count()
    assert events == 7
    logged = AccessLog.objects.filter(object_type="care.alert", action="create")
    assert logged.count() == 7
    assert set(logged.values_list("person_id", flat=True)) == {episode.person_id}

    second = compute_alerts()
    assert (second.raised_total, second.resolved, second.live) == (0, 0, 7)
    assert Alert.objects.count() == 7
    assert Event.objects.filter(verb="alert_raised").count() == events


@pytest.mark.django_db
def test_closing_the_episode_resolves_its_alerts(episode_of):
    episode = episode_of(opened_on=datetime.date(2020, 1, 1))
    compute_alerts()
    assert live(episode)
    episode.status = "closed"
    episode.closed_on = datetime.date.today()
    episode.save()
    summary = compute_alerts()
    assert live(episode) == []
    assert summary.resolved == 2  # no contact, no reassessment
    assert Event.objects.filter(verb="alert_resolved", subject_id=str(episode.pk)).count() == 2
    updates = AccessLog.objects.filter(object_type="care.alert", action="update")
    assert list(updates.values_list("person_id", flat=True)) == [episode.person_id] * 2


@pytest.mark.django_db
def test_alerts_for_mine_and_all(episode_of, dac, coordinator):
    mine = episode_of(opened_on=datetime.date(2020, 1, 1))
    colleague = MembershipFactory(organisation=dac, role=Role.CASE_MANAGER)
    theirs = episode_of(opened_on=datetime.date(2020, 1, 1), referent=colleague.user)
    managed = episode_of(
        opened_on=datetime.date(2020, 1, 1), referent=colleague.user, case_manager=coordinator.user
    )
    elsewhere = CareEpisodeFactory(opened_on=datetime.date(2020, 1, 1))
    compute_alerts()
    assert {a.episode_id for a in alerts_for(coordinator, mine=True)} == {mine.pk, managed.pk}
    assert {a.episode_id for a in alerts_for(coordinator)} == {mine.pk, theirs.pk, managed.pk}
    assert elsewhere.pk not in {a.episode_id for a in alerts_for(colleague)}


# --- Bounded queries --------------------------------------------------------------------------


def _busy_episodes(dac, count):
    for n in range(count):
        episode = CareEpisodeFactory(
            person=PersonFactory(dac=dac), opened_on=datetime.date(2024, 1, 1), level="urgent"
        )
        LevelChangeFactory(episode=episode, level="urgent", changed_at=at(2026, 4, 1, 9, n))
        contact(episode, at(2026, 1, 1, 9, 0))
        AssessmentFactory(
            episode=episode,
            status="completed",
            assessed_on=datetime.date(2024, 2, 1),
            completed_at=at(2024, 2, 1, 9, 0),
        )
        version = active_plan(episode, review_on=datetime.date(2026, 5, 10))
        ActionFactory(plan_version=version, due_on=datetime.date(2026, 4, 1))
        ActionFactory(plan_version=version, status="not_done")


# PostgreSQL only: SQLite's limit on query parameters splits the bulk inserts into batches, so
# the count there grows with the number of alerts written (not with the episodes read).
@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_episodes(time_machine):
    time_machine.move_to(at(2026, 5, 1, 9, 0), tick=False)
    small, big = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    _busy_episodes(small, 3)
    _busy_episodes(big, 30)

    counts = {}
    for name, dac in (("small", small), ("big", big)):
        with CaptureQueriesContext(connection) as queries:
            summary = compute_alerts(dac=dac)
        counts[name] = len(queries)
        assert summary.raised_total == (3 if name == "small" else 30) * 7
    assert counts["small"] == counts["big"]
    assert counts["big"] <= 20

    # Resolving is bounded too: every cause disappears at once.
    from appui.care.models import CareEpisode

    CareEpisode.objects.filter(dac__in=[small, big]).update(status="closed")
    for name, dac in (("small", small), ("big", big)):
        with CaptureQueriesContext(connection) as queries:
            summary = compute_alerts(dac=dac)
        counts[name] = len(queries)
    assert counts["small"] == counts["big"]


# --- Command and task -------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_prints_a_french_summary(episode_of):
    episode_of(opened_on=datetime.date(2020, 1, 1))
    out = StringIO()
    call_command("compute_alerts", stdout=out)
    text = out.getvalue()
    assert (
        "Alertes calculées pour 1 DAC : 2 nouvelles, 0 levée (cause disparue), 2 en cours." in text
    )
    assert "Pas de contact : 1" in text
    assert "Réévaluation attendue : 1" in text
    assert (
        AccessLog.objects.filter(object_type="care.alert", user_label="Calcul des alertes").count()
        == 2
    )
    out = StringIO()
    call_command("compute_alerts", stdout=out)
    assert "0 nouvelle, 0 levée (cause disparue), 2 en cours." in out.getvalue()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_task_is_queued_in_the_database_and_run_by_the_worker(episode_of):
    from django_tasks_db.models import DBTaskResult

    from appui.care.tasks import compute_alerts_task

    episode = episode_of(opened_on=datetime.date(2020, 1, 1))
    result = compute_alerts_task.enqueue()
    assert DBTaskResult.objects.filter(id=result.id).exists()
    assert live(episode) == []
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=StringIO())
    result.refresh()
    assert result.return_value == {
        "dacs": 1,
        "raised": {"no_contact": 1, "no_reassessment": 1},
        "resolved": 0,
        "live": 2,
    }
    assert kinds(episode) == {AlertKind.NO_CONTACT, AlertKind.NO_REASSESSMENT}
