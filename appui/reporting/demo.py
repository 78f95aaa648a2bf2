"""Demo region: two more DACs beside DAC Scarpe-Escaut, with a year of activity generated in bulk,
and the coverage of the region's coordination structures (the ARS pilot's pages).

DAC du Douaisis is of ordinary size; DAC du Cambrésis is small, so that the regional view masks
some of its counts. DAC Scarpe-Escaut's own activity is not generated here. Names are fictional;
the data are deterministic and the seed is idempotent (a DAC that already has persons is left as
it is).
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from appui.accounts.models import Membership, User
from appui.care.enums import EpisodeKind, EpisodeStatus, ExitReason
from appui.care.models import CareEpisode
from appui.core.enums import Role
from appui.intake.delays import add_working_days, answer_delay, is_working_day
from appui.intake.enums import Channel, IntensityLevel, RequesterKind, RequestStatus, ResponseType
from appui.intake.models import RequestResponse, SupportRequest
from appui.persons.models import Person
from appui.persons.names import name_key
from appui.territory.demo import DEMO_PASSWORD, FIRST_NAMES, LAST_NAMES
from appui.territory.enums import OrganisationKind as K
from appui.territory.models import Commune, Organisation, Professional, Territory

from .enums import ComplexityAxis as Y
from .enums import HealthSocialAxis as X
from .models import CoordinationCoverage

# Communes the two extra DACs need beyond the demo's list (Insee code, name, postal code, lat, lon).
EXTRA_COMMUNES = [
    ("59569", "Sin-le-Noble", "59450", 50.361, 3.131),
    ("59654", "Waziers", "59119", 50.387, 3.113),
    ("59165", "Cuincy", "59553", 50.379, 3.047),
    ("59139", "Caudry", "59540", 50.125, 3.412),
    ("59136", "Le Cateau-Cambrésis", "59360", 50.103, 3.543),
]

# name, seat, territory, persons to generate, e-mail domain
REGIONAL_DACS = [
    (
        "DAC du Douaisis",
        "59178",
        ["59178", "59569", "59654", "59165", "59574"],  # Somain: shared with Scarpe-Escaut
        260,
        "dac-douaisis.test",
    ),
    ("DAC du Cambrésis", "59122", ["59122", "59139", "59136"], 26, "dac-cambresis.test"),
]

# organisation (created when missing: name, kind, seat), population, x, y, communes, note
COVERAGES = [
    (
        ("DAC Scarpe-Escaut", K.DAC, "59526"),
        "Toute personne en situation complexe, sans critère d'âge ni de pathologie",
        X.BOTH,
        Y.COMPLEX,
        None,
        "",
    ),
    (
        ("DAC du Douaisis", K.DAC, "59178"),
        "Toute personne en situation complexe, sans critère d'âge ni de pathologie",
        X.BOTH,
        Y.COMPLEX,
        None,
        "",
    ),
    (
        ("DAC du Cambrésis", K.DAC, "59122"),
        "Toute personne en situation complexe ; priorité aux personnes âgées",
        X.MOSTLY_HEALTH,
        Y.COMPLEX,
        None,
        "",
    ),
    (
        ("CLIC du Pays de Condé", K.CLIC, "59153"),
        "Personnes de 60 ans et plus et leurs aidants",
        X.SOCIAL,
        Y.STANDARD,
        ["59153", "59616", "59253", "59447", "59110"],
        "Information, évaluation des besoins, plan d'aide",
    ),
    (
        ("CPTS Scarpe-Escaut", K.CPTS, "59526"),
        "Patientèle des professionnels de santé du territoire",
        X.HEALTH,
        Y.STANDARD,
        ["59526", "59491", "59632", "59285", "59402", "59109", "59512", "59336"],
        "Accès au médecin traitant, soins non programmés",
    ),
    (
        ("Communauté 360 du Nord", K.COMMUNITY_360, "59350"),
        "Personnes en situation de handicap et leurs aidants",
        X.MOSTLY_SOCIAL,
        Y.MIXED,
        ["59350", "59178", "59606", "59122", "59392", "59526", "59172"],
        "Numéro unique 0 800 360 360",
    ),
    (
        ("Gestion de cas du Douaisis (ex-MAIA)", K.OTHER, "59178"),
        "Personnes âgées en perte d'autonomie en situation complexe",
        X.BOTH,
        Y.COMPLEX,
        ["59178", "59569", "59654", "59165"],
        "Équipe de gestionnaires de cas, rattachée au DAC depuis 2022",
    ),
    (
        ("Équipe mobile de gériatrie de la Scarpe", K.MOBILE_TEAM, "59526"),
        "Personnes âgées hospitalisées ou à domicile, avis gériatrique",
        X.HEALTH,
        Y.COMPLEX,
        ["59526", "59491", "59606"],
        "",
    ),
]

YEAR = 2025


def seed(stdout):
    communes = _communes()
    # The main DAC's territory is "every demo commune but a few": not these ones.
    scarpe = Territory.objects.filter(dac__name="DAC Scarpe-Escaut").first()
    if scarpe is not None:
        scarpe.communes.remove(*[communes[code] for code, *_ in EXTRA_COMMUNES])
    accounts = []
    for name, seat, codes, size, domain in REGIONAL_DACS:
        dac, user = _dac(name, communes[seat], [communes[c] for c in codes], domain)
        accounts.append(
            {
                "email": user.email,
                "password": DEMO_PASSWORD,
                "label": f"{user.get_full_name()} — Direction ({name})",
            }
        )
        if Person.all_objects.filter(dac=dac).exists():
            continue
        counts = _activity(dac, user, size, random.Random(f"{name}-{YEAR}"))
        stdout.write(
            f"{name} : {counts[0]} personnes, {counts[1]} demandes, {counts[2]} accompagnements."
        )
    for (org_name, kind, seat), population, x, y, codes, note in COVERAGES:
        organisation = Organisation.objects.filter(name=org_name).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=org_name, kind=kind, commune=communes[seat]
            )
        coverage, _ = CoordinationCoverage.objects.update_or_create(
            organisation=organisation,
            defaults={"population": population, "health_social": x, "complexity": y, "note": note},
        )
        if codes is not None:
            coverage.communes.set([communes[c] for c in codes])
    stdout.write(f"Cartographie : {len(COVERAGES)} structures de coordination décrites.")
    return accounts


def _communes() -> dict[str, Commune]:
    for code, name, postal, lat, lon in EXTRA_COMMUNES:
        Commune.objects.get_or_create(
            insee_code=code,
            defaults={
                "name": name,
                "postal_codes": postal,
                "department_code": "59",
                "region_code": "32",
                "latitude": lat,
                "longitude": lon,
            },
        )
    return {c.insee_code: c for c in Commune.objects.all()}


def _dac(name, seat, communes, domain):
    dac, _ = Organisation.objects.update_or_create(
        name=name,
        defaults={
            "kind": K.DAC,
            "commune": seat,
            "postal_code": seat.postal_code_list[0] if seat.postal_code_list else "",
            "email": f"contact@{domain}",
        },
    )
    territory, _ = Territory.objects.update_or_create(dac=dac, defaults={"name": name[7:]})
    territory.communes.set(communes)
    user = User.objects.filter(email=f"direction@{domain}").first()
    if user is None:
        first, last = ("Hélène", "Devaux") if "Douaisis" in name else ("Olivier", "Lemaire")
        user = User.objects.create_user(
            f"direction@{domain}", DEMO_PASSWORD, first_name=first, last_name=last
        )
    Membership.objects.get_or_create(user=user, organisation=dac, role=Role.DIRECTOR)
    return dac, user


def _at(day: date, rng) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))


def _working_day(rng, start: date, end: date) -> date:
    day = start + timedelta(days=rng.randint(0, (end - start).days))
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _activity(dac, user, size: int, rng) -> tuple[int, int, int]:
    """Persons, their requests (November 2024 → December 2025), the first answers and the
    episodes opened, some closed in 2025 and a few reopened — all inserted in bulk."""
    seat = dac.commune
    persons = Person.objects.bulk_create(
        [
            Person(
                dac=dac,
                birth_name=(last := rng.choice(LAST_NAMES)),
                birth_name_key=name_key(last),
                first_name=(first := rng.choice(FIRST_NAMES)),
                first_names=first,
                sex=rng.choice("FM"),
                birth_date=date(rng.randint(1928, 1962), rng.randint(1, 12), rng.randint(1, 28)),
                birthplace_code=seat.insee_code,
                commune=seat,
                postal_code=seat.postal_code_list[0] if seat.postal_code_list else "",
            )
            for _ in range(size)
        ]
    )
    professionals = list(Professional.objects.order_by("pk")[:6])
    partners = list(
        Organisation.objects.filter(kind__in=[K.HOSPITAL, K.SSIAD, K.CCAS, K.SAAD]).order_by("pk")
    )
    channels = [c for c, _ in Channel.choices]
    requests, numbers = [], {}
    for person in persons:
        for _ in range(1 if rng.random() < 0.85 else 2):
            received_on = _working_day(rng, date(YEAR - 1, 11, 1), date(YEAR, 12, 15))
            received = _at(received_on, rng)
            answered = _at(add_working_days(received_on, rng.choice([0, 1, 1, 2, 3, 5, 8])), rng)
            if answered < received:
                answered = received + timedelta(hours=2)
            kind = rng.choice(
                [RequesterKind.PROFESSIONAL] * 3
                + [RequesterKind.ORGANISATION] * 2
                + [RequesterKind.CARER, RequesterKind.PERSON]
            )
            year = received_on.year
            numbers[year] = numbers.get(year, 0) + 1
            requests.append(
                SupportRequest(
                    dac=dac,
                    number=f"{year}-{numbers[year]:05d}",
                    channel=rng.choice(channels),
                    received_at=received,
                    requester_kind=kind,
                    requester_professional=rng.choice(professionals)
                    if kind == RequesterKind.PROFESSIONAL and professionals
                    else None,
                    requester_organisation=rng.choice(partners)
                    if kind == RequesterKind.ORGANISATION and partners
                    else None,
                    requester_name="Un proche" if kind == RequesterKind.CARER else "",
                    person=person,
                    description="Situation à domicile qui se complique (données de démonstration).",
                    status=RequestStatus.ANSWERED,
                    level=rng.choice([c for c, _ in IntensityLevel.choices]),
                    first_answered_at=answered,
                    first_answer_delay_days=answer_delay(received, answered),
                )
            )
    requests = SupportRequest.objects.bulk_create(requests)
    responses, episodes = [], []
    for request in requests:
        response_type = rng.choice(
            [ResponseType.COORDINATION] * 3
            + [ResponseType.CASE_MANAGEMENT]
            + [ResponseType.INFORMATION] * 2
            + [ResponseType.ORIENTATION, ResponseType.ONE_OFF_SUPPORT, ResponseType.REFERRAL_OUT]
        )
        responses.append(
            RequestResponse(
                request=request,
                response_type=response_type,
                given_at=request.first_answered_at,
                given_by=user,
                summary="Réponse apportée au demandeur (données de démonstration).",
            )
        )
        if response_type in (ResponseType.COORDINATION, ResponseType.CASE_MANAGEMENT):
            request.status = RequestStatus.ACCOMPANIMENT
            opened = add_working_days(timezone.localdate(request.first_answered_at), 2)
            closed = None
            if rng.random() < 0.35:
                closed = opened + timedelta(days=rng.randint(40, 300))
                if closed > date(YEAR, 12, 31):
                    closed = None
            episodes.append(
                CareEpisode(
                    dac=dac,
                    person=request.person,
                    request=request,
                    kind=EpisodeKind.CASE_MANAGEMENT
                    if response_type == ResponseType.CASE_MANAGEMENT
                    else EpisodeKind.COORDINATION,
                    status=EpisodeStatus.CLOSED if closed else EpisodeStatus.OPEN,
                    opened_on=opened,
                    level=request.level or IntensityLevel.SHORT_TERM,
                    referent=user,
                    closed_on=closed,
                    exit_reason=rng.choice([c for c, _ in ExitReason.choices]) if closed else "",
                )
            )
    RequestResponse.objects.bulk_create(responses)
    SupportRequest.objects.bulk_update(
        [r for r in requests if r.status == RequestStatus.ACCOMPANIMENT], ["status"]
    )
    episodes = CareEpisode.objects.bulk_create(episodes)
    # A person's second episode follows their first (a reopening) when the first was closed.
    last_by_person, reopened = {}, []
    for episode in sorted(episodes, key=lambda e: e.opened_on):
        previous = last_by_person.get(episode.person_id)
        if previous is not None and previous.closed_on and previous.closed_on < episode.opened_on:
            episode.previous = previous
            reopened.append(episode)
        last_by_person[episode.person_id] = episode
    CareEpisode.objects.bulk_update(reopened, ["previous"])
    return len(persons), len(requests), len(episodes)
