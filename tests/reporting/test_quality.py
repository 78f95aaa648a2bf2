"""The ISQ self-assessment: the items, the data pre-fill on hand-built data, the score."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from appui.core.enums import Role
from appui.core.models import Event
from appui.reporting import quality
from appui.reporting.models import QualityAnswer, QualityAssessment
from tests.factories import (
    AdverseEventFactory,
    AssessmentFactory,
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
PARIS = ZoneInfo("Europe/Paris")


def test_the_ten_items_of_fiche_l1_in_their_four_groups():
    groups = [item.group for item in quality.ITEMS]
    assert len(quality.ITEMS) == quality.MAX_SCORE == 10
    assert {g: groups.count(g) for g in set(groups)} == {
        "agreement": 2,
        "care": 6,
        "actors": 1,
        "organisation": 1,
    }
    assert len(quality.ITEMS_BY_CODE) == 10
    prefilled = {item.code for item in quality.ITEMS if item.prefill}
    assert prefilled == {"ppcs_for_all", "annual_reassessment", "gp_integration", "adverse_events"}


def episode(dac, opened_on, closed_on=None, **kwargs):
    return CareEpisodeFactory(
        person=kwargs.pop("person", None) or PersonFactory(dac=dac),
        opened_on=opened_on,
        closed_on=closed_on,
        status="closed" if closed_on else "open",
        **kwargs,
    )


def validated_plan(ep, on):
    return CarePlanVersionFactory(
        plan=CarePlanFactory(episode=ep), status="active", gp_validated_on=on, activated_on=on
    )


def test_ppcs_share_counts_persons_of_the_file_active_with_a_validated_ppcs():
    dac = OrganisationFactory(dac=True)
    # 1. followed across New Year, PPCS validated in 2024: yes.
    validated_plan(episode(dac, D(2024, 10, 1)), D(2024, 12, 15))
    # 2. reopened in 2025: the first episode (closed in 2025) had no PPCS, the reopening has one.
    person = PersonFactory(dac=dac)
    first = episode(dac, D(2025, 1, 10), D(2025, 3, 31), person=person)
    validated_plan(episode(dac, D(2025, 6, 1), person=person, previous=first), D(2025, 7, 1))
    # 3. PPCS only submitted (not validated): no.
    CarePlanVersionFactory(plan=CarePlanFactory(episode=episode(dac, D(2025, 2, 1))))
    # 4. PPCS validated only in 2026: not by 31/12/2025.
    validated_plan(episode(dac, D(2025, 11, 1)), D(2026, 1, 5))
    # 5. no PPCS at all.
    episode(dac, D(2025, 12, 20))
    # Out of the 2025 file active: closed in 2024 (with a PPCS), opened in 2026, another DAC.
    validated_plan(episode(dac, D(2023, 1, 1), D(2024, 12, 31)), D(2023, 3, 1))
    episode(dac, D(2026, 1, 2))
    validated_plan(episode(OrganisationFactory(dac=True), D(2025, 1, 1)), D(2025, 2, 1))

    check = quality.ppcs_share(dac.pk, 2025)
    # file active: persons 1, 2 (once), 3, 4, 5 = 5; with a validated PPCS: 1 and 2 = 2 → 40 %.
    assert (check.numerator, check.denominator) == (2, 5)
    assert check.note == (
        "40\u00a0% des personnes de la file active 2025 ont un PPCS validé ou en vigueur (2/5)."
    )
    assert check.suggested is None  # below 100 %: the director decides


def test_ppcs_share_suggests_yes_at_100_percent_and_says_when_there_is_nobody():
    dac = OrganisationFactory(dac=True)
    assert quality.ppcs_share(dac.pk, 2025).note == "Aucune personne dans la file active 2025."
    validated_plan(episode(dac, D(2025, 1, 5)), D(2025, 2, 1))
    check = quality.ppcs_share(dac.pk, 2025)
    assert (check.suggested, check.numerator, check.denominator) == (True, 1, 1)


def test_reassessment_share_among_persons_followed_twelve_months_or_more():
    dac = OrganisationFactory(dac=True)
    # Opened 31/12/2024 and still open: followed 12 months on 31/12/2025; reassessed in 2025.
    done = episode(dac, D(2024, 12, 31))
    AssessmentFactory(episode=done, assessed_on=D(2025, 12, 31), status="completed")
    # Opened in 2023, assessed in 2025 but the assessment is still a draft: not reassessed.
    draft = episode(dac, D(2023, 5, 1))
    AssessmentFactory(episode=draft, assessed_on=D(2025, 3, 1), status="draft")
    # Opened in 2023, last completed assessment in 2024: not reassessed.
    late = episode(dac, D(2023, 5, 1))
    AssessmentFactory(episode=late, assessed_on=D(2024, 12, 31), status="completed")
    # Not in the denominator: opened 01/01/2025 (under 12 months), closed in 2025, reopening.
    episode(dac, D(2025, 1, 1))
    episode(dac, D(2022, 1, 1), D(2025, 11, 30))
    person = PersonFactory(dac=dac)
    old = episode(dac, D(2022, 1, 1), D(2025, 2, 1), person=person)
    episode(dac, D(2025, 3, 1), person=person, previous=old)  # counts from its reopening

    check = quality.reassessment_share(dac.pk, 2025)
    # denominator: done, draft, late = 3; numerator: done = 1 → 33 %.
    assert (check.numerator, check.denominator, check.suggested) == (1, 3, None)
    assert check.note.startswith("33\u00a0% des personnes accompagnées depuis plus de 12 mois")


def test_gp_validation_share_of_the_versions_submitted_during_the_year():
    dac = OrganisationFactory(dac=True)
    ep = episode(dac, D(2024, 1, 1))
    plan = CarePlanFactory(episode=ep)

    def version(submitted_at, validated_on=None):
        return CarePlanVersionFactory(
            plan=plan, status="submitted", submitted_at=submitted_at, gp_validated_on=validated_on
        )

    # Submitted the 1st of January at 0:30 in Paris (still 31/12 in UTC): a 2025 version.
    version(datetime.datetime(2025, 1, 1, 0, 30, tzinfo=PARIS), D(2025, 1, 10))
    # Submitted on 31/12/2025 in the evening, validated in January 2026: validated.
    version(datetime.datetime(2025, 12, 31, 22, 0, tzinfo=PARIS), D(2026, 1, 4))
    version(datetime.datetime(2025, 6, 1, 10, 0, tzinfo=PARIS))  # never validated
    version(datetime.datetime(2024, 12, 31, 23, 59, tzinfo=PARIS), D(2025, 1, 2))  # 2024
    CarePlanVersionFactory(status="draft")  # never submitted, other DAC

    check = quality.gp_validation_share(dac.pk, 2025)
    assert (check.numerator, check.denominator, check.suggested) == (2, 3, None)
    assert check.note == (
        "67\u00a0% des PPCS soumis au médecin traitant en 2025 ont été validés par lui (2/3)."
    )


def test_adverse_events_followed_with_their_corrective_actions():
    dac = OrganisationFactory(dac=True)
    assert "Aucun événement indésirable recensé en 2025" in (
        quality.adverse_events_followed(dac.pk, 2025).note
    )
    ep = episode(dac, D(2024, 6, 1))
    AdverseEventFactory(
        episode=ep,
        occurred_on=D(2025, 1, 1),
        corrective_action="Protocole de sortie revu",
        corrective_action_done_on=D(2025, 2, 1),
    )
    AdverseEventFactory(episode=ep, occurred_on=D(2025, 8, 1), corrective_action="Réunion")
    AdverseEventFactory(episode=ep, occurred_on=D(2024, 12, 31))  # 2024
    check = quality.adverse_events_followed(dac.pk, 2025)
    assert (check.numerator, check.denominator, check.suggested) == (2, 2, True)
    assert check.note == (
        "2 événements indésirables recensés en 2025, 2 avec une action corrective (100\u00a0%), "
        "dont 1 réalisée."
    )
    AdverseEventFactory(episode=ep, occurred_on=D(2025, 9, 1), corrective_action="")
    check = quality.adverse_events_followed(dac.pk, 2025)
    assert (check.numerator, check.denominator, check.suggested) == (2, 3, None)


def test_before_saving_the_data_suggests_the_answers():
    dac = OrganisationFactory(dac=True)
    validated_plan(episode(dac, D(2025, 1, 5)), D(2025, 2, 1))
    states = {s.item.code: s for s in quality.item_states(None, dac.pk, 2025)}
    assert states["ppcs_for_all"].answer is True
    assert states["adverse_events"].answer is None
    assert states["phone_line"].answer is None and states["phone_line"].check is None


def test_save_complete_score_and_history():
    director = MembershipFactory(role=Role.DIRECTOR)
    dac = director.organisation
    validated_plan(episode(dac, D(2025, 1, 5)), D(2025, 2, 1))
    answers = {item.code: (False, "") for item in quality.ITEMS}
    answers["phone_line"] = (True, "https://intranet.example/permanence")
    answers["ppcs_for_all"] = (True, "")
    answers["pooling"] = (None, "")
    quality.save_answers(director, 2025, answers)
    assessment = QualityAssessment.objects.get()
    assert quality.score(assessment) == 2
    ppcs = QualityAnswer.objects.get(item="ppcs_for_all")
    assert ppcs.data_note.startswith("100\u00a0% des personnes de la file active 2025")
    assert QualityAnswer.objects.get(item="phone_line").evidence.startswith("https://")
    assert QualityAnswer.objects.filter(assessment=assessment).count() == 10

    answers["pooling"] = (True, "Convention avec la CPTS")
    quality.save_answers(director, 2025, answers, complete=True)
    assessment.refresh_from_db()
    assert assessment.completed_by == director.user and quality.score(assessment) == 3
    verbs = list(
        Event.objects.filter(subject_type="reporting.qualityassessment")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "updated", "quality_assessment_completed"]
    with pytest.raises(quality.AlreadyCompleted):
        quality.save_answers(director, 2025, answers)

    QualityAssessment.objects.create(dac=OrganisationFactory(dac=True), year=2024)  # elsewhere
    rows = quality.history(director)
    scored = [(r["year"], r["score"]) for r in rows if r["assessment"]]
    assert scored == [(2025, 3)]


def test_only_the_director_saves():
    physician = MembershipFactory(role=Role.SUPPORT_PHYSICIAN)
    with pytest.raises(PermissionDenied):
        quality.save_answers(physician, 2025, {})
    assert not QualityAssessment.objects.exists()
