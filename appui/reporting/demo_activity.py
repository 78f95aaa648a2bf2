"""A believable 2025 for the main demo DAC, so that its 2025 dashboard, activity report, CPOM
review and quality self-assessment have something to show.

About 150 requests received in 2025 (and a few at the end of 2024: persons followed across New
Year), with their channels, origins, responses and working-day delays (one received on a public
holiday); about 60 accompaniments opened from them — some still followed on 31 December, one
reopened, all closed by mid-2026 with their exit reason (the demo's current work stays that of
the user journeys); assessments (some reassessed within the year), PPCS versions (most validated
by the GP), adverse events with their corrective actions, unmet needs in several communes,
derogatory services and the 2024–2025 budgets, the CPOM 2024–2028 with its objectives,
indicators and yearly targets and its 2025 review in preparation, and the 2025 quality
self-assessment partly filled.

Everything is bulk-created from one seed (the same history on every run), in a few seconds on
SQLite; every row is consistent with the others: a request is received before it is answered,
an episode opens after its request's answer and closes after its assessments, a PPCS is submitted
after the assessment and validated after it is submitted, a reopened episode starts after the
closing of the previous one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from appui.accounts.models import Membership
from appui.care.assessments import compute_result, iter_questions, shipped_form
from appui.care.enums import (
    ActionKind,
    ActionStatus,
    AssessmentPlace,
    EpisodeKind,
    EpisodeStatus,
    ExitReason,
    InformationChannel,
)
from appui.care.models import (
    Action,
    AdverseEvent,
    Assessment,
    CareEpisode,
    CarePlan,
    CarePlanVersion,
    LevelChange,
)
from appui.core.enums import Role
from appui.directory.models import UnmetNeed
from appui.intake.delays import add_working_days, answer_delay, is_working_day
from appui.intake.enums import Channel, RequesterKind, RequestStatus, ResponseType
from appui.intake.enums import IntensityLevel as L
from appui.intake.models import RequestResponse, SupportRequest
from appui.persons.enums import GpStatus
from appui.persons.models import Person
from appui.territory.enums import OrganisationKind, Profession
from appui.territory.models import Organisation, Professional, Territory

from .enums import DerogatoryKind, ObjectiveKind, ReviewStatus, TargetDirection
from .indicators import catalogue
from .models import (
    AnnualReview,
    AnnualReviewLine,
    Contract,
    ContractIndicator,
    ContractObjective,
    ContractTarget,
    DacBudget,
    DerogatoryService,
    QualityAnswer,
    QualityAssessment,
)

YEAR = 2025
SEED = 2025
REQUESTS_2025 = 150
REQUESTS_LATE_2024 = 8
# Seed 002's ten quality items (fiche L1), the codes of the quality self-assessment.
QUALITY_ITEMS = [
    "information_system",
    "pooling",
    "protocols",
    "protocol_checks",
    "phone_line",
    "ppcs_for_all",
    "record_use_checks",
    "annual_reassessment",
    "gp_integration",
    "adverse_events",
]
BIRTH_NAMES = [
    "LEROY", "CARPENTIER", "DELCOURT", "LEFEBVRE", "DUHAMEL", "POTTIER", "WALLART", "DEBRUYNE",
    "LECLERCQ", "DUPRIEZ", "MASCLET", "HENNEBELLE", "VANDAMME", "DELATTRE", "CAUDRON", "BRASSART",
    "DESMET", "FOULON", "GRARD", "LHERMITTE", "MOREAU", "PLAYE", "QUENNESSON", "RICHEZ",
    "SAVARY", "TISON", "VERCAMER", "WATTIEZ", "BOULANGER", "COUSIN",
]  # fmt: skip
FEMALE_NAMES = ["Jeanine", "Monique", "Odette", "Simone", "Colette", "Yvette", "Denise", "Rolande"]
MALE_NAMES = ["Marcel", "Roger", "Gérard", "René", "Lucien", "Albert", "Maurice", "Raymond"]
STREETS = ["rue Jean-Jaurès", "rue de la Gare", "place du Marché", "rue Pasteur", "rue du Moulin"]
CHANNELS = [
    (Channel.PHONE, 48),
    (Channel.SECURE_MESSAGE, 18),
    (Channel.EMAIL, 14),
    (Channel.WEB_FORM, 12),
    (Channel.VISIT, 5),
    (Channel.LETTER, 3),
]
REQUESTERS = [
    (RequesterKind.PROFESSIONAL, 45),
    (RequesterKind.ORGANISATION, 30),
    (RequesterKind.CARER, 15),
    (RequesterKind.PERSON, 7),
    (RequesterKind.OTHER, 3),
]
SHORT_RESPONSES = [
    (ResponseType.INFORMATION, 25),
    (ResponseType.ORIENTATION, 30),
    (ResponseType.ONE_OFF_SUPPORT, 22),
    (ResponseType.REFERRAL_OUT, 10),
    (ResponseType.REFUSED_BY_PERSON, 7),
    (ResponseType.NO_FOLLOW_UP, 6),
]
EXITS = [
    (ExitReason.STABILISED, 30),
    (ExitReason.GOALS_MET, 20),
    (ExitReason.RELAY, 15),
    (ExitReason.INSTITUTION, 15),
    (ExitReason.DEATH, 12),
    (ExitReason.MOVED, 4),
    (ExitReason.REFUSAL, 4),
]
DESCRIPTIONS = [
    "Personne âgée vivant seule, chutes répétées, aide à domicile insuffisante.",
    "Retour à domicile après hospitalisation, plusieurs intervenants à coordonner.",
    "Troubles cognitifs débutants, épuisement de l'aidante.",
    "Situation de handicap, rupture de parcours après la fin d'une prise en charge.",
    "Maladie chronique évolutive, difficultés d'accès aux droits.",
    "Isolement social et refus de soins, inquiétude du voisinage et du pharmacien.",
]
UNMET_THEMES = [
    ("psychologue", "Pas de psychologue à domicile sur la commune."),
    ("ergotherapeute", "Délai de plus de trois mois pour un ergothérapeute."),
    ("portage-repas", "Portage de repas non assuré le week-end."),
    ("accueil-de-jour", "Aucune place d'accueil de jour disponible."),
    ("hebergement-temporaire", "Hébergement temporaire complet pour l'été."),
    ("aide-a-domicile", "Service d'aide à domicile sans intervenant disponible le soir."),
]
DEROGATORY_FEES = {
    DerogatoryKind.PSYCHOLOGIST: ("Cabinet de psychologie du Hainaut", Decimal("50.00")),
    DerogatoryKind.DIETITIAN: ("Diététique Scarpe-Escaut", Decimal("40.00")),
    DerogatoryKind.OCCUPATIONAL_THERAPIST: ("Ergo Domicile Nord", Decimal("65.00")),
    DerogatoryKind.PSYCHOMOTOR_THERAPIST: (
        "Cabinet de psychomotricité de Denain",
        Decimal("45.00"),
    ),
    DerogatoryKind.ADAPTED_PHYSICAL_ACTIVITY: ("Sport Santé Valenciennois", Decimal("30.00")),
}


@dataclass
class Planned:
    """One request of the demo year and what followed it (dates first, rows afterwards)."""

    received_at: datetime
    channel: str
    requester_kind: str
    answered_at: datetime
    response_type: str
    level: str
    person: Person | None = None
    request: SupportRequest | None = None
    episode: dict = field(default_factory=dict)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _aware_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


class ActivityDemo:
    def __init__(self, dac: Organisation):
        self.dac = dac
        self.rng = random.Random(SEED)
        memberships = list(
            Membership.objects.filter(organisation=dac, is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        by_role = {}
        for membership in memberships:
            by_role.setdefault(membership.role, membership.user)
        self.coordinators = [
            m.user for m in memberships if m.role in (Role.COORDINATOR, Role.SUPPORT_PHYSICIAN)
        ] or [memberships[0].user]
        self.case_manager = by_role.get(Role.CASE_MANAGER, self.coordinators[0])
        self.director = by_role.get(Role.DIRECTOR, self.coordinators[0])
        self.assistant = by_role.get(Role.ASSISTANT, self.coordinators[0])
        territory = Territory.objects.filter(dac=dac).first()
        communes = list(territory.communes.order_by("insee_code")) if territory else []
        self.communes = communes
        self.gps = list(
            Professional.objects.filter(profession=Profession.PHYSICIAN).order_by("pk")[:30]
        )
        self.professionals = list(Professional.objects.order_by("pk")[:60])
        self.partners = list(
            Organisation.objects.exclude(kind__in=[OrganisationKind.DAC, OrganisationKind.ARS])
            .order_by("pk")
            .only("pk", "name")[:30]
        )
        self.ars = Organisation.objects.filter(kind=OrganisationKind.ARS).order_by("pk").first()

    # --- Requests and persons ------------------------------------------------------------------

    def plan_requests(self) -> list[Planned]:
        rng = self.rng
        planned = []
        days = [
            day
            for day in (date(2024, 10, 1) + timedelta(days=n) for n in range(460))
            if is_working_day(day) and day <= date(YEAR, 12, 19)
        ]
        late_2024 = [d for d in days if d.year == 2024]
        year_days = [d for d in days if d.year == YEAR]
        received_days = sorted(rng.sample(late_2024, REQUESTS_LATE_2024)) + sorted(
            rng.choice(year_days) for _ in range(REQUESTS_2025 - 1)
        )
        # A web-form request received on a public holiday (8 May), answered the next working day.
        received_days.append(date(YEAR, 5, 8))
        for index, day in enumerate(sorted(received_days)):
            holiday = not is_working_day(day)
            received_at = _at(day, rng.randint(8, 17), rng.choice([0, 10, 25, 40, 55]))
            delay = 0 if holiday else _weighted(rng, [(0, 35), (1, 30), (2, 20), (3, 10), (5, 5)])
            answered_at = _at(add_working_days(day, delay), rng.randint(9, 17), 30)
            if answered_at <= received_at:
                answered_at = received_at + timedelta(hours=1)
            accompaniment = day.year == 2024 or rng.random() < 0.36
            if accompaniment:
                kind = _weighted(
                    rng, [(ResponseType.COORDINATION, 3), (ResponseType.CASE_MANAGEMENT, 1)]
                )
                level = _weighted(rng, [(L.RISK, 2), (L.SHORT_TERM, 4), (L.LONG_TERM, 3)])
            else:
                kind = _weighted(rng, SHORT_RESPONSES)
                level = _weighted(rng, [(L.WATCH, 3), (L.RISK, 2)])
            planned.append(
                Planned(
                    received_at=received_at,
                    channel=Channel.WEB_FORM if holiday else _weighted(rng, CHANNELS),
                    requester_kind=_weighted(rng, REQUESTERS),
                    answered_at=answered_at,
                    response_type=kind,
                    level=level,
                )
            )
            planned[-1].episode["index"] = index
        return planned

    def create_persons(self, planned: list[Planned]) -> None:
        rng = self.rng
        persons = []
        for index, item in enumerate(planned):
            accompanied = item.response_type in (
                ResponseType.COORDINATION,
                ResponseType.CASE_MANAGEMENT,
            )
            if not accompanied and rng.random() < 0.5:
                continue
            sex = _weighted(rng, [("F", 3), ("M", 2)])
            gp = rng.choice(self.gps) if self.gps and rng.random() < 0.92 else None
            commune = rng.choice(self.communes) if self.communes else None
            person = Person(
                dac=self.dac,
                birth_name=BIRTH_NAMES[index % len(BIRTH_NAMES)],
                first_name=rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES),
                sex=sex,
                birth_date=date(rng.randint(1928, 1960), rng.randint(1, 12), rng.randint(1, 28)),
                commune=commune,
                postal_code=commune.postal_code_list[0] if commune else "",
                address=f"{rng.randint(1, 90)} {rng.choice(STREETS)}",
                gp=gp,
                gp_status=GpStatus.KNOWN if gp else GpStatus.UNKNOWN,
                lives_alone=rng.random() < 0.55,
            )
            # bulk_create skips save(): the search keys it derives are set here.
            from appui.persons import names

            person.birth_name_key = names.name_key(person.birth_name)
            person.used_name_key = names.name_key(person.used_name)
            item.person = person
            persons.append(person)
        Person.objects.bulk_create(persons)

    def create_requests(self, planned: list[Planned]) -> None:
        rng = self.rng
        counters = {}
        existing = set(
            SupportRequest.all_objects.filter(dac=self.dac).values_list("number", flat=True)
        )
        requests = []
        for item in planned:
            year = _aware_date(item.received_at).year
            number = None
            while number is None or number in existing:
                counters[year] = counters.get(year, 900) + 1
                number = f"{year}-{counters[year]:05d}"
            accompanied = item.response_type in (
                ResponseType.COORDINATION,
                ResponseType.CASE_MANAGEMENT,
            )
            status = {
                ResponseType.REFERRAL_OUT: RequestStatus.REFERRED,
                ResponseType.REFUSED_BY_PERSON: RequestStatus.CLOSED,
                ResponseType.NO_FOLLOW_UP: RequestStatus.CLOSED,
            }.get(item.response_type, RequestStatus.ANSWERED)
            if accompanied:
                status = RequestStatus.ACCOMPANIMENT
            kind = item.requester_kind
            professional = rng.choice(self.professionals) if self.professionals else None
            organisation = rng.choice(self.partners) if self.partners else None
            request = SupportRequest(
                dac=self.dac,
                number=number,
                channel=item.channel,
                received_at=item.received_at,
                requester_kind=kind,
                requester_professional=professional if kind == RequesterKind.PROFESSIONAL else None,
                requester_organisation=organisation if kind == RequesterKind.ORGANISATION else None,
                requester_name={
                    RequesterKind.CARER: "Un proche (fille)",
                    RequesterKind.PERSON: "La personne",
                    RequesterKind.OTHER: "Un voisin",
                }.get(kind, ""),
                submitted_by=self.assistant,
                person=item.person,
                description=rng.choice(DESCRIPTIONS),
                status=status,
                assigned_to=rng.choice(self.coordinators),
                level=item.level,
                answer_due_at=_at(add_working_days(_aware_date(item.received_at), 2), 23, 59),
                first_answered_at=item.answered_at,
                first_answer_delay_days=answer_delay(item.received_at, item.answered_at),
                closed_at=item.answered_at
                if status in (RequestStatus.CLOSED, RequestStatus.REFERRED)
                else None,
                created_at=item.received_at,
            )
            item.request = request
            requests.append(request)
        SupportRequest.objects.bulk_create(requests)
        RequestResponse.objects.bulk_create(
            RequestResponse(
                request=item.request,
                response_type=item.response_type,
                given_at=item.answered_at,
                given_by=item.request.assigned_to,
                summary=RESPONSE_SUMMARIES[item.response_type],
                referral_organisation=item.request.requester_organisation
                if item.response_type == ResponseType.REFERRAL_OUT
                else None,
                created_at=item.answered_at,
            )
            for item in planned
        )

    # --- Episodes and their follow-up ----------------------------------------------------------

    def create_episodes(self, planned: list[Planned]) -> list[CareEpisode]:
        rng = self.rng
        episodes = []
        accompanied = [
            item
            for item in planned
            if item.response_type in (ResponseType.COORDINATION, ResponseType.CASE_MANAGEMENT)
        ]
        for position, item in enumerate(accompanied):
            opened_on = add_working_days(_aware_date(item.answered_at), rng.randint(1, 6))
            kind = (
                EpisodeKind.CASE_MANAGEMENT
                if item.response_type == ResponseType.CASE_MANAGEMENT
                else EpisodeKind.COORDINATION
            )
            # About one in five is still followed on 31 December and closes in 2026; the others
            # close within a year. None is left open: the demo's current work stays the journeys'.
            if position % 5 == 2 or opened_on.year == 2024:
                closed_on = max(date(2026, 1, 5), opened_on + timedelta(days=30))
                closed_on += timedelta(days=rng.randint(0, 150))
            else:
                closed_on = min(opened_on + timedelta(days=rng.randint(60, 330)), date(2026, 3, 31))
            episode = self._episode(item.person, kind, item.level, opened_on, closed_on)
            episode.request = item.request
            episodes.append(episode)
        # A reopening: the first episode closed in 2025 starts again two months later.
        first_closed = next(e for e in episodes if e.closed_on and e.closed_on < date(YEAR, 9, 1))
        first_closed.exit_reason = ExitReason.STABILISED
        first_closed.person.deceased_on = None
        reopened = self._episode(
            first_closed.person,
            first_closed.kind,
            L.SHORT_TERM,
            add_working_days(first_closed.closed_on + timedelta(days=60), 0),
            first_closed.closed_on + timedelta(days=250),
        )
        reopened.previous = first_closed
        reopened.opening_reason = "Nouvelle dégradation après une période stabilisée."
        CareEpisode.objects.bulk_create(episodes)
        CareEpisode.objects.bulk_create([reopened])
        episodes.append(reopened)
        LevelChange.objects.bulk_create(
            LevelChange(
                episode=e,
                level=e.level,
                changed_at=_at(e.opened_on, 10),
                changed_by=e.referent,
                created_at=_at(e.opened_on, 10),
            )
            for e in episodes
        )
        return episodes

    def _episode(self, person, kind, level, opened_on, closed_on) -> CareEpisode:
        rng = self.rng
        referent = rng.choice(self.coordinators)
        closed = closed_on is not None
        exit_reason = _weighted(rng, EXITS) if closed else ""
        if closed and exit_reason == ExitReason.DEATH:
            person.deceased_on = closed_on
        return CareEpisode(
            dac=self.dac,
            person=person,
            kind=kind,
            status=EpisodeStatus.CLOSED if closed else EpisodeStatus.OPEN,
            opened_on=opened_on,
            level=level,
            level_since=_at(opened_on, 10),
            referent=referent,
            case_manager=self.case_manager if kind == EpisodeKind.CASE_MANAGEMENT else None,
            opening_reason="Situation complexe nécessitant une coordination renforcée.",
            gp_informed_on=opened_on if person.gp_id else None,
            gp_informed_how=InformationChannel.PHONE if person.gp_id else "",
            gp_not_informed_reason="" if person.gp_id else "Pas de médecin traitant déclaré.",
            closed_on=closed_on,
            exit_reason=exit_reason,
            exit_note="Sortie préparée avec la personne et son entourage." if closed else "",
            closed_by=referent if closed else None,
            created_at=_at(opened_on, 10),
        )

    def create_assessments(self, episodes: list[CareEpisode]) -> dict[int, date]:
        """A completed AGGIR assessment early in every episode, a reassessment for some; returns
        each episode's first assessment day."""
        rng = self.rng
        form = shipped_form("aggir")
        assessments, first = [], {}
        for episode in episodes:
            end = episode.closed_on or date(2026, 6, 30)
            day = add_working_days(episode.opened_on, rng.randint(2, 10))
            if day >= end:
                continue
            first[episode.pk] = day
            days = [day]
            later = add_working_days(day + timedelta(days=rng.randint(160, 330)), 0)
            # Followed for more than a year: reassessed within 12 months, but for a few.
            long = (end - day).days > 365
            if later < end and rng.random() < (0.9 if long else 0.6):
                days.append(later)
            for assessed_on in days:
                answers = self._aggir_answers(form.definition)
                result, gir = compute_result(form.definition, answers)
                assessments.append(
                    Assessment(
                        episode=episode,
                        form=form,
                        assessed_on=assessed_on,
                        place=AssessmentPlace.HOME,
                        participants="La personne, son aidant·e",
                        answers=answers,
                        result=result,
                        gir=gir,
                        summary="Évaluation multidimensionnelle à domicile.",
                        status="completed",
                        author=episode.referent,
                        completed_at=_at(assessed_on, 17),
                        created_at=_at(assessed_on, 9),
                    )
                )
        Assessment.objects.bulk_create(assessments)
        return first

    def _aggir_answers(self, definition: dict) -> dict:
        answers = {}
        for _domain, question in iter_questions(definition):
            code, kind = question["code"], question["type"]
            if kind == "abc":
                answers[code] = _weighted(self.rng, [("A", 5), ("B", 3), ("C", 2)])
            elif question.get("required"):
                if kind == "yes_no":
                    answers[code] = "no"
                elif kind == "choice":
                    answers[code] = question["options"][0]["code"]
                elif kind == "number":
                    answers[code] = question.get("min", 0)
                else:
                    answers[code] = "Non signalé."
        return answers

    def create_plans(self, episodes: list[CareEpisode], assessed: dict[int, date]) -> int:
        """A PPCS for most assessed episodes: submitted after the assessment, most validated by
        the GP and in force; some revised (version 2) within the year."""
        rng = self.rng
        plans, versions, second = [], [], []
        for episode in episodes:
            if episode.pk not in assessed or rng.random() < 0.1:
                continue
            end = episode.closed_on or date(2026, 6, 30)
            submitted_on = add_working_days(assessed[episode.pk], rng.randint(3, 12))
            if submitted_on >= end:
                continue
            plan = CarePlan(episode=episode, created_at=_at(submitted_on, 9))
            plans.append(plan)
            gp = episode.person.gp
            validated_on = None
            if gp is not None and rng.random() < 0.88:
                validated_on = min(add_working_days(submitted_on, rng.randint(2, 8)), end)
            revised_on = None
            if validated_on and rng.random() < 0.3:
                revised = add_working_days(validated_on + timedelta(days=rng.randint(120, 200)), 0)
                revised_on = revised if revised < end else None
            version = CarePlanVersion(
                plan=plan,
                number=1,
                status="superseded" if revised_on else ("active" if validated_on else "submitted"),
                situation="Personne vivant à domicile, plusieurs intervenants à coordonner.",
                wishes="Rester à domicile le plus longtemps possible.",
                difficulties="Chutes, isolement, épuisement de l'aidant·e.",
                review_on=submitted_on + timedelta(days=180),
                submitted_at=_at(submitted_on, 11),
                gp=gp,
                gp_validated_on=validated_on,
                gp_validation_channel=InformationChannel.MSSANTE if validated_on else "",
                gp_validation_recorded_by=episode.referent if validated_on else None,
                person_agreed_on=submitted_on,
                person_agreement_how=InformationChannel.HOME_VISIT,
                person_agreement_by="La personne",
                activated_on=validated_on,
                superseded_on=revised_on,
                created_at=_at(submitted_on, 9),
            )
            versions.append(version)
            if revised_on:
                second.append(
                    CarePlanVersion(
                        plan=plan,
                        number=2,
                        based_on=version,
                        status="active",
                        situation=version.situation,
                        wishes=version.wishes,
                        difficulties=version.difficulties,
                        review_on=revised_on + timedelta(days=180),
                        submitted_at=_at(revised_on, 11),
                        gp=gp,
                        gp_validated_on=revised_on,
                        gp_validation_channel=InformationChannel.PHONE,
                        gp_validation_recorded_by=episode.referent,
                        person_agreed_on=revised_on,
                        person_agreement_how=InformationChannel.HOME_VISIT,
                        person_agreement_by="La personne",
                        activated_on=revised_on,
                        created_at=_at(revised_on, 9),
                    )
                )
        CarePlan.objects.bulk_create(plans)
        CarePlanVersion.objects.bulk_create(versions)
        CarePlanVersion.objects.bulk_create(second)
        actions = []
        for version in versions + second:
            start = _aware_date(version.submitted_at)
            for position, (kind, text) in enumerate(ACTIONS):
                status = _weighted(
                    rng,
                    [
                        (ActionStatus.DONE, 5),
                        (ActionStatus.IN_PROGRESS, 3),
                        (ActionStatus.PLANNED, 1),
                    ],
                )
                actions.append(
                    Action(
                        plan_version=version,
                        kind=kind,
                        description=text,
                        responsible_label=ACTION_RESPONSIBLES[kind],
                        starts_on=start,
                        due_on=start + timedelta(days=30 * (position + 1)),
                        status=status,
                        position=position,
                        created_at=_at(start, 9),
                    )
                )
        Action.objects.bulk_create(actions)
        return len(plans)

    def create_adverse_events(self, episodes: list[CareEpisode]) -> None:
        rng = self.rng
        kinds = (
            ["unplanned_hospitalisation"] * 4 + ["care_rupture"] * 3 + ["voluntary_exit", "other"]
        )
        events = []
        candidates = [e for e in episodes if (e.closed_on or date(2026, 1, 31)) >= date(YEAR, 3, 1)]
        for index, episode in enumerate(rng.sample(candidates, min(9, len(candidates)))):
            end = min(episode.closed_on or date(YEAR, 12, 31), date(YEAR, 12, 31))
            start = max(episode.opened_on, date(YEAR, 1, 2))
            if end <= start:
                continue
            occurred_on = start + timedelta(days=rng.randint(0, (end - start).days))
            corrective = index % 4 != 3
            done = corrective and index % 3 != 2
            events.append(
                AdverseEvent(
                    episode=episode,
                    kind=kinds[index % len(kinds)],
                    occurred_on=occurred_on,
                    description=ADVERSE_DESCRIPTIONS[kinds[index % len(kinds)]],
                    corrective_action="Concertation avec l'équipe de soins et ajustement du PPCS."
                    if corrective
                    else "",
                    corrective_action_done_on=occurred_on + timedelta(days=rng.randint(5, 20))
                    if done
                    else None,
                    recorded_by=episode.referent,
                    created_at=_at(occurred_on, 15),
                )
            )
        AdverseEvent.objects.bulk_create(events)

    def create_unmet_needs(self) -> None:
        rng = self.rng
        communes = self.communes[:6] or [None]
        needs = []
        for index in range(26):
            theme, text = UNMET_THEMES[index % len(UNMET_THEMES)]
            needs.append(
                UnmetNeed(
                    theme=theme,
                    commune=communes[(index * 7) % len(communes)],
                    description=text,
                    dac=self.dac,
                    noted_on=date(YEAR, 1, 6) + timedelta(days=rng.randint(0, 340)),
                    created_by=rng.choice(self.coordinators),
                )
            )
        UnmetNeed.objects.bulk_create(needs)

    def create_derogatory_services(self, episodes: list[CareEpisode]) -> None:
        rng = self.rng
        services = []
        candidates = [e for e in episodes if e.opened_on < date(YEAR, 11, 1)]
        for episode in rng.sample(candidates, min(22, len(candidates))):
            end = min(episode.closed_on or date(YEAR, 12, 31), date(YEAR, 12, 31))
            start = max(episode.opened_on, date(YEAR, 1, 2))
            if end <= start:
                continue
            for _ in range(rng.choice([1, 1, 2])):
                kind = rng.choice(list(DEROGATORY_FEES))
                provider, fee = DEROGATORY_FEES[kind]
                sessions = rng.randint(1, 6)
                provided_on = start + timedelta(days=rng.randint(0, (end - start).days))
                services.append(
                    DerogatoryService(
                        dac=self.dac,
                        person=episode.person,
                        episode=episode,
                        kind=kind,
                        provider_label=provider,
                        provided_on=provided_on,
                        sessions=sessions,
                        amount=fee * sessions,
                        budget_line="Prestations dérogatoires (FIR)",
                        invoice_reference=f"F{YEAR}-{len(services) + 101:04d}",
                        recorded_by=self.director,
                        created_at=_at(provided_on, 16),
                    )
                )
        DerogatoryService.objects.bulk_create(services)
        DacBudget.objects.bulk_create(
            [
                DacBudget(
                    dac=self.dac,
                    year=2024,
                    amount=Decimal("395000"),
                    derogatory_amount=Decimal("6000"),
                ),
                DacBudget(
                    dac=self.dac,
                    year=YEAR,
                    amount=Decimal("420000"),
                    derogatory_amount=Decimal("8000"),
                ),
            ]
        )

    # --- CPOM and quality ----------------------------------------------------------------------

    def create_contract(self) -> Contract:
        contract = Contract.objects.create(
            dac=self.dac,
            ars=self.ars,
            title="CPOM du DAC Scarpe-Escaut 2024-2028",
            reference="ARS-HDF-DAC-2024-07",
            starts_on=date(2024, 1, 1),
            ends_on=date(2028, 12, 31),
            signed_on=date(2024, 3, 18),
        )
        registered = {indicator.code for indicator in catalogue()}
        lines = []
        for s_index, (title, operationals) in enumerate(CPOM, start=1):
            strategic = ContractObjective.objects.create(
                contract=contract,
                kind=ObjectiveKind.STRATEGIC,
                code=f"OS{s_index}",
                title=title,
                position=s_index,
            )
            for o_index, (o_title, indicators) in enumerate(operationals, start=1):
                operational = ContractObjective.objects.create(
                    contract=contract,
                    kind=ObjectiveKind.OPERATIONAL,
                    parent=strategic,
                    code=f"OO{s_index}.{o_index}",
                    title=o_title,
                    position=s_index * 10 + o_index,
                )
                for i_index, (code, label, unit, direction, targets, comment) in enumerate(
                    indicators, start=1
                ):
                    known = code in registered
                    indicator = ContractIndicator.objects.create(
                        objective=operational,
                        indicator_code=code if known else "",
                        label="" if known else label,
                        unit="" if known else unit,
                        direction=direction,
                        position=i_index,
                    )
                    ContractTarget.objects.bulk_create(
                        ContractTarget(indicator=indicator, year=year, target=Decimal(target))
                        for year, target in zip(contract.years, targets, strict=True)
                    )
                    lines.append((indicator, comment))
        review = AnnualReview.objects.create(
            contract=contract,
            year=YEAR,
            status=ReviewStatus.DRAFT,
            dac_comment="Année marquée par la montée en charge de la gestion de cas et le "
            "déploiement de la validation du PPCS par messagerie sécurisée. Analyse en cours "
            "de rédaction avant la réunion de dialogue de gestion avec l'ARS.",
        )
        AnnualReviewLine.objects.bulk_create(
            AnnualReviewLine(review=review, indicator=indicator, comment=comment)
            for indicator, comment in lines
        )
        return contract

    def create_quality_assessment(self) -> QualityAssessment:
        assessment = QualityAssessment.objects.create(dac=self.dac, year=YEAR)
        try:  # the quality module's own item list, when present
            from .quality import ITEMS

            codes = [item.code for item in ITEMS]
        except ImportError:
            codes = QUALITY_ITEMS
        answers = []
        for code in codes:
            if code not in QUALITY_ANSWERS:
                continue
            answer, evidence = QUALITY_ANSWERS[code]
            answers.append(
                QualityAnswer(assessment=assessment, item=code, answer=answer, evidence=evidence)
            )
        QualityAnswer.objects.bulk_create(answers)
        return assessment


RESPONSE_SUMMARIES = {
    ResponseType.INFORMATION: "Informations données sur les aides et dispositifs existants.",
    ResponseType.ORIENTATION: "Mise en relation avec le service adapté du territoire.",
    ResponseType.ONE_OFF_SUPPORT: "Appui ponctuel au professionnel pour organiser la sortie.",
    ResponseType.COORDINATION: "Situation complexe : accompagnement proposé et accepté.",
    ResponseType.CASE_MANAGEMENT: "Critères de gestion de cas réunis : inclusion proposée.",
    ResponseType.REFERRAL_OUT: "Réorientation vers le dispositif compétent.",
    ResponseType.REFUSED_BY_PERSON: "La personne ne souhaite pas d'accompagnement.",
    ResponseType.NO_FOLLOW_UP: "Demandeur injoignable après trois tentatives.",
}
ACTIONS = [
    (ActionKind.CARE, "Passage infirmier quotidien pour l'aide à la prise des traitements."),
    (ActionKind.SUPPORT, "Mise en place de l'aide à domicile (APA) et du portage de repas."),
    (ActionKind.PREVENTION, "Évaluation du logement par l'ergothérapeute, prévention des chutes."),
]
ACTION_RESPONSIBLES = {
    ActionKind.CARE: "Cabinet infirmier",
    ActionKind.SUPPORT: "Service d'aide à domicile",
    ActionKind.PREVENTION: "Ergothérapeute",
}
ADVERSE_DESCRIPTIONS = {
    "unplanned_hospitalisation": "Hospitalisation non programmée après une chute à domicile.",
    "care_rupture": "Arrêt des passages de l'aide à domicile sans relais organisé.",
    "voluntary_exit": "Sortie contre avis médical de l'hôpital.",
    "other": "Épuisement de l'aidante signalé par le pharmacien.",
}
AT_LEAST, AT_MOST = TargetDirection.AT_LEAST, TargetDirection.AT_MOST
# (strategic objective, [(operational objective, [(catalogue code, label if manual, unit,
# direction, targets 2024…2028, review comment)])])
CPOM = [
    (
        "Apporter une réponse rapide et graduée à toute demande d'appui du territoire",
        [
            (
                "Répondre à chaque demande dans les deux jours ouvrés",
                [
                    (
                        "delay_first_answer_median",
                        "Délai médian de première réponse",
                        "jours",
                        AT_MOST,
                        ["2", "2", "1", "1", "1"],
                        "Délai tenu malgré l'absence d'une coordinatrice au printemps.",
                    ),
                ],
            ),
            (
                "Faire connaître le DAC aux professionnels de premier recours",
                [
                    (
                        "file_active",
                        "File active",
                        "personnes",
                        AT_LEAST,
                        ["50", "60", "70", "80", "90"],
                        "",
                    ),
                    (
                        "new_inclusions",
                        "Nouvelles inclusions",
                        "personnes",
                        AT_LEAST,
                        ["40", "50", "55", "60", "65"],
                        "",
                    ),
                ],
            ),
        ],
    ),
    (
        "Structurer l'accompagnement des situations complexes avec le médecin traitant",
        [
            (
                "Faire valider le PPCS par le médecin traitant",
                [
                    (
                        "share_ppcs_gp_validated",
                        "Part des PPCS validés par le médecin traitant",
                        "%",
                        AT_LEAST,
                        ["70", "80", "85", "90", "95"],
                        "Validation par messagerie sécurisée généralisée en juin.",
                    ),
                ],
            ),
            (
                "Réévaluer chaque situation au moins une fois par an",
                [
                    (
                        "share_reassessed_12_months",
                        "Part des personnes réévaluées dans les 12 mois",
                        "%",
                        AT_LEAST,
                        ["60", "70", "80", "90", "100"],
                        "",
                    ),
                ],
            ),
        ],
    ),
    (
        "Contribuer à l'observation du territoire et à l'animation des acteurs",
        [
            (
                "Recenser les besoins non couverts et les partager avec les partenaires",
                [
                    (
                        "",
                        "Réunions d'animation territoriale organisées",
                        "réunions",
                        AT_LEAST,
                        ["4", "6", "6", "8", "8"],
                        "Six réunions : trois avec la CPTS, trois avec les SAAD.",
                    ),
                ],
            ),
        ],
    ),
]
QUALITY_ANSWERS = {
    "information_system": (True, "Hébergement certifié HDS, convention avec le GRADeS."),
    "pooling": (True, "Convention de mutualisation avec le CLIC du Pays de Condé (2024)."),
    "protocols": (True, "Protocole d'accompagnement v3 (intranet, mise à jour mars 2025)."),
    "protocol_checks": (False, "Audit de dossiers prévu au premier semestre 2026."),
    "phone_line": (True, "Permanence du lundi au vendredi, 9 h – 17 h."),
    "adverse_events": (None, ""),
}


def main_dac() -> Organisation | None:
    return Organisation.objects.filter(name="DAC Scarpe-Escaut", kind=OrganisationKind.DAC).first()


@transaction.atomic
def seed_activity(dac: Organisation) -> dict[str, int]:
    """Give `dac` its 2025 history (nothing is done when its 2025 budget already exists)."""
    if DacBudget.objects.filter(dac=dac, year=YEAR).exists():
        return {}
    demo = ActivityDemo(dac)
    planned = demo.plan_requests()
    demo.create_persons(planned)
    demo.create_requests(planned)
    episodes = demo.create_episodes(planned)
    deceased = [e.person for e in episodes if e.person.deceased_on]
    Person.objects.bulk_update(deceased, ["deceased_on"])
    assessed = demo.create_assessments(episodes)
    plans = demo.create_plans(episodes, assessed)
    demo.create_adverse_events(episodes)
    demo.create_unmet_needs()
    demo.create_derogatory_services(episodes)
    demo.create_contract()
    demo.create_quality_assessment()
    return {"requests": len(planned), "episodes": len(episodes), "plans": plans}


def seed(stdout) -> list:
    """The seed_demo hook: the main demo DAC's 2025 activity."""
    dac = main_dac()
    if dac is None:
        return []
    counts = seed_activity(dac)
    if counts:
        stdout.write(
            f"Activité {YEAR} : {counts['requests']} demandes, {counts['episodes']} "
            f"accompagnements, {counts['plans']} PPCS"
        )
    else:
        stdout.write(f"Activité {YEAR} : déjà créée")
    return []
