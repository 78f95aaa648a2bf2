"""The main demo DAC's 2025 activity: believable volumes and rows consistent with each other."""

import datetime

import pytest
from django.db.models import Sum
from django.utils import timezone

from appui.care.models import AdverseEvent, Assessment, CareEpisode, CarePlanVersion
from appui.core.enums import Role
from appui.directory.models import UnmetNeed
from appui.intake.delays import answer_delay, is_working_day
from appui.intake.models import RequestResponse, SupportRequest
from appui.reporting.demo_activity import seed_activity
from appui.reporting.enums import ReviewStatus
from appui.reporting.models import (
    AnnualReview,
    Contract,
    ContractTarget,
    DacBudget,
    DerogatoryService,
    QualityAssessment,
)
from appui.territory.enums import OrganisationKind
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    ProfessionalFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def dac():
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    territory = TerritoryFactory(dac=dac)
    territory.communes.set([CommuneFactory() for _ in range(8)])
    for role in (Role.ASSISTANT, Role.COORDINATOR, Role.COORDINATOR, Role.CASE_MANAGER):
        MembershipFactory(organisation=dac, role=role)
    MembershipFactory(organisation=dac, role=Role.DIRECTOR)
    ProfessionalFactory.create_batch(6)
    ProfessionalFactory.create_batch(3, nurse=True)
    OrganisationFactory.create_batch(4)
    OrganisationFactory(kind=OrganisationKind.ARS, name="ARS Hauts-de-France")
    return dac


def local_day(moment):
    return timezone.localtime(moment).date()


def test_a_believable_2025(dac):
    counts = seed_activity(dac)

    requests = SupportRequest.objects.filter(dac=dac)
    received_2025 = requests.filter(received_at__year=2025)
    assert 140 <= received_2025.count() <= 160
    assert len(set(received_2025.values_list("channel", flat=True))) >= 5
    assert len(set(received_2025.values_list("requester_kind", flat=True))) >= 4
    assert RequestResponse.objects.filter(request__dac=dac).count() == requests.count()
    episodes = CareEpisode.objects.filter(dac=dac)
    assert counts["episodes"] == episodes.count()
    assert 45 <= episodes.count() <= 75
    # None stays open today: the demo's current work (alerts, caseloads) is the journeys'.
    assert not episodes.filter(status="open").exists()
    assert episodes.filter(previous__isnull=False).count() == 1
    # Followed across both New Years: opened in 2024, and still open on 1 January 2026.
    assert episodes.filter(opened_on__year=2024).exists()
    assert (
        episodes.filter(opened_on__lte=D(2025, 12, 31)).exclude(closed_on__lt=D(2026, 1, 1)).count()
        >= 5
    )
    versions = CarePlanVersion.objects.filter(plan__episode__dac=dac, number=1)
    assert versions.count() >= 35
    assert versions.filter(gp_validated_on__isnull=False).count() > versions.count() * 0.7
    assert AdverseEvent.objects.filter(episode__dac=dac).exclude(corrective_action="").exists()
    needs = UnmetNeed.objects.filter(dac=dac, noted_on__year=2025)
    assert needs.count() >= 20 and needs.values("commune").distinct().count() >= 4
    assert DacBudget.objects.get(dac=dac, year=2025).amount > 0
    spent = DerogatoryService.objects.filter(dac=dac, provided_on__year=2025).aggregate(
        total=Sum("amount")
    )["total"]
    assert spent > 0

    contract = Contract.objects.get(dac=dac)
    assert (contract.starts_on, contract.ends_on) == (D(2024, 1, 1), D(2028, 12, 31))
    assert contract.objectives.filter(kind="strategic").count() == 3
    indicators = [i for o in contract.objectives.all() for i in o.indicators.all()]
    assert len(indicators) >= 5
    assert ContractTarget.objects.filter(indicator__in=indicators).count() == 5 * len(indicators)
    review = AnnualReview.objects.get(contract=contract, year=2025)
    assert review.status == ReviewStatus.DRAFT
    assert review.lines.count() == len(indicators)
    quality = QualityAssessment.objects.get(dac=dac, year=2025)
    assert quality.completed_at is None
    assert 0 < quality.answers.exclude(answer=None).count() < 10


def test_rows_are_consistent(dac):
    seed_activity(dac)

    for request in SupportRequest.objects.filter(dac=dac):
        assert request.received_at < request.first_answered_at
        assert request.first_answer_delay_days == answer_delay(
            request.received_at, request.first_answered_at
        )
    on_holiday = SupportRequest.objects.get(dac=dac, received_at__date=D(2025, 5, 8))
    assert not is_working_day(D(2025, 5, 8)) and on_holiday.first_answer_delay_days == 0

    for episode in CareEpisode.objects.filter(dac=dac).select_related("request", "previous"):
        if episode.request is not None:
            assert local_day(episode.request.first_answered_at) < episode.opened_on
            assert episode.request.person_id == episode.person_id
            assert episode.request.status == "accompaniment"
        if episode.previous is not None:
            assert episode.previous.closed_on < episode.opened_on
            assert episode.previous.person_id == episode.person_id
        assert (episode.status == "closed") == (episode.closed_on is not None)
        assert bool(episode.exit_reason) == (episode.closed_on is not None)
        end = episode.closed_on or D(2026, 12, 31)
        assert episode.opened_on < end
        if episode.person.deceased_on:
            assert episode.exit_reason == "death"
            assert episode.person.deceased_on == episode.closed_on
        for assessment in Assessment.objects.filter(episode=episode):
            assert episode.opened_on <= assessment.assessed_on <= end
            assert assessment.status == "completed" and assessment.gir
        first = Assessment.objects.filter(episode=episode).order_by("assessed_on").first()
        for version in CarePlanVersion.objects.filter(plan__episode=episode):
            assert first is not None
            assert first.assessed_on < local_day(version.submitted_at)
            if version.gp_validated_on:
                assert local_day(version.submitted_at) <= version.gp_validated_on
                assert version.gp_id == episode.person.gp_id
            assert (version.status == "superseded") == (version.superseded_on is not None)
        for event in AdverseEvent.objects.filter(episode=episode):
            assert episode.opened_on <= event.occurred_on <= end
            if event.corrective_action_done_on:
                assert event.corrective_action and event.corrective_action_done_on > (
                    event.occurred_on
                )
        for service in DerogatoryService.objects.filter(episode=episode):
            assert episode.opened_on <= service.provided_on <= end
            assert service.person_id == episode.person_id


def test_seeding_twice_changes_nothing(dac):
    seed_activity(dac)
    before = (SupportRequest.objects.count(), CareEpisode.objects.count())

    assert seed_activity(dac) == {}

    assert (SupportRequest.objects.count(), CareEpisode.objects.count()) == before
