"""S3 — An emergency on a Friday evening: the reassessments at 24 h and 48 h.

Friday 17:10, Dr Hugo Lambert's urgent call for M. René Dufour is answered the same evening by an
accompaniment at level *urgence*. The system expects a reassessment 24 h and 48 h later: the hourly
computation of the alerts raises nothing on Saturday at 17:00, the 24 h alert at 17:20, the 48 h
alert on Sunday at 17:20, each shown to the coordinator on her home page and on the episode. On
Monday morning she takes one in hand with a comment, then moves the situation to level 2 with a
reason: at the next run both urgent alerts are resolved."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.care.enums import AlertKind, AlertStatus
from appui.care.models import Alert, CareEpisode, LevelChange
from appui.intake.enums import IntensityLevel

from .steps import (
    ACCOMPANIMENT,
    alerts_block,
    answer_with_accompaniment,
    email,
    events_of,
    flash,
    go_to_episode,
    main,
    my_work,
    record_request,
    run_alerts,
    screenshot,
    select,
    sign_in,
    textbox,
)

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
FRIDAY_EVENING = datetime(2026, 11, 20, 17, 10, tzinfo=PARIS)
SATURDAY_BEFORE = datetime(2026, 11, 21, 17, 0, tzinfo=PARIS)
SATURDAY_AFTER = datetime(2026, 11, 21, 17, 20, tzinfo=PARIS)
SUNDAY_AFTER = datetime(2026, 11, 22, 17, 20, tzinfo=PARIS)
MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)

DUFOUR = "M. René DUFOUR"
ALERT_24H = "Urgence depuis le 20/11/2026 à 17:10 : pas de réévaluation à 24 h"
ALERT_48H = "Urgence depuis le 20/11/2026 à 17:10 : pas de réévaluation à 48 h"


def local(moment):
    return timezone.localtime(moment).replace(second=0, microsecond=0, tzinfo=None)


def test_s3_urgent_alerts_at_24_and_48_hours_then_level_2(page, territory, time_machine):
    # --- Friday 17:10: the urgent request, answered the same evening ----------------------------
    time_machine.move_to(FRIDAY_EVENING)
    sign_in(page, "coordination")
    support_request = record_request(
        page,
        search="Dufour René",
        person={
            "first_names": "René Louis",
            "sex": "Masculin",
            "birth_date": "1949-06-02",
            "commune": "Saint-Amand-les-Eaux",
            "gp": "Hugo Lambert",
        },
        urgency="Urgente",
        requester=("Lambert", "Hugo Lambert"),
        reasons=("Fin de vie", "Rupture de parcours"),
        situation="Cancer évolué, à domicile. Son épouse a été hospitalisée cet après-midi : il "
        "ne peut pas rester seul cette nuit.",
    )
    expect(flash(page)).to_contain_text("Première réponse attendue au plus tard le 20/11/2026")
    answer_with_accompaniment(
        page,
        "Urgence",
        "HAD Hainaut-Scarpe et service infirmier de nuit mobilisés pour cette nuit ; "
        "réévaluation demain.",
    )
    go_to_episode(page, DUFOUR)
    expect(main(page)).to_contain_text("Urgence — depuis le 20/11/2026")
    expect(alerts_block(page)).to_have_count(0)
    episode = CareEpisode.objects.get()

    # --- Saturday 17:00: the hourly run, not yet 24 h after the urgency -------------------------
    time_machine.move_to(SATURDAY_BEFORE)
    assert "0 nouvelle" in run_alerts()
    assert not Alert.objects.exists()

    # --- Saturday 17:20: the 24 h reassessment is due -------------------------------------------
    time_machine.move_to(SATURDAY_AFTER)
    assert "1 nouvelle" in run_alerts()
    sign_in(page, "coordination")  # the home page, "Mon travail"
    expect(my_work(page)).to_contain_text("Mes alertes (1)")
    expect(my_work(page)).to_contain_text(f"{DUFOUR} — {ALERT_24H} (attendue le 21/11/2026")
    screenshot(page, "s3-suivi-1-accueil-alerte-24h")
    my_work(page).get_by_role("link", name=DUFOUR).first.click()
    expect(page.locator("h1")).to_have_text(ACCOMPANIMENT)
    block = alerts_block(page)
    expect(block.locator(".fr-alert")).to_have_count(1)
    expect(block).to_contain_text("Urgence : réévaluation à 24 h")
    expect(block).to_contain_text(ALERT_24H)
    expect(block).to_contain_text("Déclenchée le 21/11/2026 à 17:20")

    # --- Sunday 17:20: the 48 h one too ---------------------------------------------------------
    time_machine.move_to(SUNDAY_AFTER)
    assert "1 nouvelle" in run_alerts()
    sign_in(page, "coordination")
    expect(my_work(page)).to_contain_text("Mes alertes (2)")
    expect(my_work(page)).to_contain_text(ALERT_24H)
    expect(my_work(page)).to_contain_text(ALERT_48H)
    my_work(page).get_by_role("link", name=DUFOUR).first.click()
    expect(block.locator(".fr-alert")).to_have_count(2)
    expect(block).to_contain_text("Urgence : réévaluation à 48 h")
    expect(block).to_contain_text("Déclenchée le 22/11/2026 à 17:20")
    screenshot(page, "s3-suivi-2-accompagnement-deux-alertes")

    # --- Monday morning: one alert taken in hand, then level 2 ----------------------------------
    time_machine.move_to(MONDAY_MORNING)
    sign_in(page, "coordination")
    my_work(page).get_by_role("link", name=DUFOUR).first.click()
    alert_24h = block.locator(".fr-alert", has_text="Urgence : réévaluation à 24 h")
    comment = (
        "Appel de l'infirmière de nuit samedi : nuits calmes, HAD en place ; visite à domicile "
        "ce matin avec le Dr Lambert"
    )
    alert_24h.get_by_label("Ce qui est fait ou prévu").fill(comment)
    alert_24h.get_by_role("button", name="Prendre en compte").click()
    expect(flash(page)).to_contain_text("Alerte prise en compte")
    expect(alert_24h).to_contain_text("réévaluation à 24 h — prise en compte")
    expect(alert_24h).to_contain_text("Prise en compte le 23/11/2026 à 09:0")
    expect(alert_24h).to_contain_text(f"par Camille Dubois : « {comment} »")
    screenshot(page, "s3-suivi-3-alerte-prise-en-compte")

    page.get_by_role("link", name="Changer de niveau").click()
    select(page, "Nouveau niveau d'intensité").select_option(
        label="Niveau 2 — complexe à court terme"
    )
    reason = (
        "Nuit sécurisée par l'HAD et l'infirmière de nuit ; retour de son épouse prévu jeudi. "
        "Situation stabilisée, mais complexe : suivi rapproché."
    )
    textbox(page, "Motif du changement").fill(reason)
    screenshot(page, "s3-suivi-4-changement-niveau")
    page.get_by_role("button", name="Changer le niveau").click()
    expect(flash(page)).to_contain_text("Niveau d'intensité changé")
    levels = page.locator("table", has_text="Depuis le")
    expect(levels.locator("tbody tr")).to_have_count(2)
    expect(levels.locator("tbody tr").first).to_contain_text(reason)
    expect(levels.locator("tbody tr").first).to_contain_text("auparavant : urgence")
    # The alerts last until the next run finds their cause gone.
    expect(alerts_block(page).locator(".fr-alert")).to_have_count(2)

    assert "2 levées" in run_alerts()
    page.reload()
    expect(main(page)).to_contain_text("Niveau 2 — complexe à court terme — depuis le 23/11/2026")
    expect(alerts_block(page)).to_have_count(0)
    history = main(page).locator("li")
    expect(
        history.filter(has_text="Alerte levée (cause disparue) (Calcul des alertes)")
    ).to_have_count(2)
    screenshot(page, "s3-suivi-5-alertes-levees")
    sign_in(page, "coordination")
    expect(my_work(page)).to_contain_text("Aucune alerte sur les personnes que vous suivez.")

    # --- Stored outcome --------------------------------------------------------------------------
    coordinator = User.objects.get(email=email("coordination"))
    episode.refresh_from_db()
    assert episode.request == support_request
    assert episode.level == IntensityLevel.SHORT_TERM
    assert episode.referent == coordinator

    urgent, short_term = LevelChange.objects.filter(episode=episode).order_by("changed_at")
    assert (urgent.level, urgent.previous_level, urgent.changed_by) == (
        IntensityLevel.URGENT,
        "",
        coordinator,
    )
    assert local(urgent.changed_at) == datetime(2026, 11, 20, 17, 10)
    assert (short_term.level, short_term.previous_level, short_term.changed_by) == (
        IntensityLevel.SHORT_TERM,
        IntensityLevel.URGENT,
        coordinator,
    )
    assert short_term.reason == reason
    assert local(short_term.changed_at).date() == MONDAY_MORNING.date()

    alerts = list(Alert.objects.filter(episode=episode).order_by("raised_at"))
    assert [a.kind for a in alerts] == [AlertKind.URGENT_24H, AlertKind.URGENT_48H]
    first, second = alerts
    assert local(first.raised_at) == datetime(2026, 11, 21, 17, 20)
    assert local(second.raised_at) == datetime(2026, 11, 22, 17, 20)
    assert (first.due_on.isoformat(), second.due_on.isoformat()) == ("2026-11-21", "2026-11-22")
    assert first.acknowledged_by == coordinator and first.comment == comment
    assert local(first.acknowledged_at).date() == MONDAY_MORNING.date()
    assert second.acknowledged_by is None and second.comment == ""
    for alert in alerts:
        assert alert.status == AlertStatus.RESOLVED
        assert short_term.changed_at < alert.resolved_at
        assert local(alert.resolved_at).date() == MONDAY_MORNING.date()

    events = events_of(episode)
    assert [e.verb for e in events] == [
        "opened",
        "alert_raised",
        "alert_raised",
        "alert_acknowledged",
        "level_changed",
        "alert_resolved",
        "alert_resolved",
    ]
    by_person = [e for e in events if e.verb in {"opened", "alert_acknowledged", "level_changed"}]
    assert {e.actor for e in by_person} == {coordinator}
    engine = [e for e in events if e.verb in {"alert_raised", "alert_resolved"}]
    assert {(e.actor, e.actor_label) for e in engine} == {(None, "Calcul des alertes")}
    assert [e.data["alert"] for e in engine[:2]] == [first.pk, second.pk]
    assert {e.data["alert"] for e in engine[2:]} == {first.pk, second.pk}
    assert events[3].data == {"alert": first.pk, "kind": AlertKind.URGENT_24H, "comment": comment}
    assert events[4].data == {
        "from": IntensityLevel.URGENT,
        "to": IntensityLevel.SHORT_TERM,
        "reason": reason,
    }
