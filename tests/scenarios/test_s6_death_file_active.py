"""S6 — Death, and the file active.

In March 2026 Dr Claire Morel asks the DAC for help for M. Marcel Fontaine: the coordinator answers
with an accompaniment at level 3. M. Fontaine dies in September: the coordinator closes the
episode with the exit reason *Décès* and the date of death, which is carried to his file. He still
counts in the 2026 file active — unlike Mme Caron, whose accompaniment ended in 2025 — and no
longer in the file active of the following year."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.accounts.models import Membership, User
from appui.care import services
from appui.care.caseload import file_active, file_active_episodes
from appui.care.enums import EpisodeKind, EpisodeStatus, ExitReason
from appui.care.models import CareEpisode
from appui.core.audit import audit_context
from appui.core.enums import Role
from appui.intake.enums import IntensityLevel, RequestStatus
from appui.persons.models import Person
from appui.territory.models import Professional
from tests.factories import PersonFactory

from .steps import (
    ACCOMPANIMENT,
    answer_with_accompaniment,
    email,
    events_of,
    flash,
    go_to_episode,
    main,
    menu,
    record_request,
    screenshot,
    select,
    sign_in,
    textbox,
)

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
MARCH = datetime(2026, 3, 10, 9, 30, tzinfo=PARIS)
SEPTEMBER = datetime(2026, 9, 15, 10, 0, tzinfo=PARIS)
DEATH = date(2026, 9, 14)
FONTAINE = "M. Marcel FONTAINE"


def accompaniment_ended_in_2025(time_machine) -> Person:
    """Mme Caron, accompanied from February to November 2025, through the services."""
    coordinator = Membership.objects.get(user__email=email("coordination"), role=Role.COORDINATOR)
    person = PersonFactory(dac=coordinator.organisation, birth_name="Caron", first_name="Lucienne")
    with audit_context(user_id=coordinator.user_id, user_label=coordinator.user.email):
        time_machine.move_to(datetime(2025, 2, 3, 10, 0, tzinfo=PARIS))
        episode = services.open_episode(
            coordinator,
            person,
            kind=EpisodeKind.COORDINATION,
            level=IntensityLevel.SHORT_TERM,
            opening_reason="Retour à domicile après une fracture du col du fémur.",
        )
        time_machine.move_to(datetime(2025, 11, 28, 16, 0, tzinfo=PARIS))
        services.close_episode(
            coordinator,
            episode,
            exit_reason=ExitReason.STABILISED,
            closed_on=date(2025, 11, 28),
        )
    return person


def test_s6_death_closes_the_episode_and_he_stays_in_the_years_file_active(
    page, territory, time_machine
):
    caron = accompaniment_ended_in_2025(time_machine)
    gp = Professional.objects.get(first_name="Claire", last_name="Morel")

    # --- March: Dr Morel's request, answered by an accompaniment at level 3 ---------------------
    time_machine.move_to(MARCH)
    sign_in(page, "coordination")
    support_request = record_request(
        page,
        search="Fontaine Marcel",
        person={
            "first_names": "Marcel Henri",
            "sex": "Masculin",
            "birth_date": "1937-04-18",
            "commune": "Marchiennes",
            "gp": "Claire Morel",
        },
        requester=("Morel", "Claire Morel"),
        reasons=("Maintien à domicile difficile", "Fin de vie"),
        situation="Insuffisance rénale terminale, perte d'autonomie rapide ; son fils passe "
        "chaque soir.",
    )
    answer_with_accompaniment(
        page,
        "Niveau 3 — complexe à long terme",
        "Inclusion en accompagnement : évaluation au domicile la semaine prochaine.",
    )
    go_to_episode(page, FONTAINE)
    expect(main(page)).to_contain_text("le 10/03/2026 — à la suite de la demande")
    expect(main(page)).to_contain_text("Niveau 3 — complexe à long terme — depuis le 10/03/2026")
    episode = CareEpisode.objects.get(person__birth_name="FONTAINE")

    # --- September: M. Fontaine died yesterday --------------------------------------------------
    time_machine.move_to(SEPTEMBER)
    sign_in(page, "coordination")
    menu(page, "Accompagnements")
    main(page).get_by_role("link", name=FONTAINE).click()
    expect(page.locator("h1")).to_have_text(ACCOMPANIMENT)
    page.get_by_role("link", name="Clôturer l'accompagnement").click()
    select(page, "Motif de sortie").select_option(label="Décès")
    page.get_by_label("Date de sortie").fill(DEATH.isoformat())
    note = "Décédé à son domicile le 14/09/2026, entouré de son fils ; appel du Dr Morel ce matin."
    textbox(page, "Précisions sur la sortie").fill(note)
    screenshot(page, "s6-deces-1-cloture")
    page.get_by_role("button", name="Clôturer l'accompagnement").click()
    expect(flash(page)).to_contain_text("motif : décès")
    expect(page.locator("main .fr-text--lead")).to_contain_text("Clôturé")
    exit_line = main(page).locator("dd", has_text="le 14/09/2026 — décès")
    expect(exit_line).to_contain_text("(enregistrée par Camille Dubois)")
    expect(exit_line).to_contain_text(note)
    expect(page.get_by_role("link", name="Clôturer l'accompagnement")).to_have_count(0)
    expect(page.get_by_role("link", name="Changer de niveau")).to_have_count(0)
    screenshot(page, "s6-deces-2-accompagnement-cloture")

    # His page: the date of death, the accompaniment closed with its reason.
    page.locator("main .fr-text--lead").get_by_role("link", name=FONTAINE).click()
    expect(page.locator("h1")).to_contain_text("FONTAINE")
    expect(main(page)).to_contain_text("décédé·e le 14/09/2026")
    panel = page.locator("#panneau-care")
    expect(panel).to_contain_text(
        "inclusion le 10/03/2026, niveau 3 — complexe à long terme, clôturé le 14/09/2026 (décès)"
    )
    expect(page.get_by_role("link", name="Ouvrir un accompagnement")).to_have_count(0)
    expect(
        main(page).locator("li", has_text="Décès enregistré à la sortie de l'accompagnement")
    ).to_contain_text("15/09/2026")
    screenshot(page, "s6-deces-3-personne")

    # --- Stored outcome --------------------------------------------------------------------------
    coordinator = User.objects.get(email=email("coordination"))
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.ACCOMPANIMENT
    assert support_request.requester_professional == gp
    episode.refresh_from_db()
    fontaine = episode.person
    assert episode.request == support_request
    assert episode.opened_on == date(2026, 3, 10)
    assert episode.level == IntensityLevel.LONG_TERM
    assert episode.status == EpisodeStatus.CLOSED
    assert (episode.exit_reason, episode.closed_on) == (ExitReason.DEATH, DEATH)
    assert (episode.closed_by, episode.exit_note) == (coordinator, note)
    assert fontaine.deceased_on == DEATH

    dac = episode.dac
    year_2026 = file_active_episodes(dac, date(2026, 1, 1), date(2026, 12, 31))
    assert file_active(dac, date(2026, 1, 1), date(2026, 12, 31)) == 1
    assert set(year_2026.values_list("person", flat=True)) == {fontaine.pk}
    # Mme Caron counts in 2025, when M. Fontaine was not yet followed.
    year_2025 = file_active_episodes(dac, date(2025, 1, 1), date(2025, 12, 31))
    assert set(year_2025.values_list("person", flat=True)) == {caron.pk}
    # Followed on the day of his death, no longer after it.
    assert file_active(dac, DEATH, date(2026, 12, 31)) == 1
    assert file_active(dac, date(2026, 9, 15), date(2026, 12, 31)) == 0
    assert file_active(dac, date(2027, 1, 1), date(2027, 12, 31)) == 0

    events = events_of(episode)
    assert [e.verb for e in events] == ["opened", "exited"]
    assert {e.actor for e in events} == {coordinator}
    assert events[0].data["level"] == IntensityLevel.LONG_TERM
    assert events[1].data == {"reason": ExitReason.DEATH, "on": "2026-09-14"}
    assert timezone.localtime(events[1].at).date() == SEPTEMBER.date()
    death = [e for e in events_of(fontaine) if e.verb == "death_recorded"]
    assert len(death) == 1
    assert death[0].actor == coordinator
    assert death[0].data == {"on": "2026-09-14", "episode": episode.pk}
