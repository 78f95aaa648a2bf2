"""Demo requests of DAC Scarpe-Escaut: the user journeys (S1–S8) at their stage, and a queue
of ordinary requests (new, overdue, in analysis, answered, referred, refused, closed).

Every step goes through the same services as the pages, at the date it happened (the clock is
moved for each step), so timelines, delays and events read as in real life.
"""

import random
from datetime import datetime, time, timedelta

import time_machine
from django.utils import timezone

from appui.accounts.models import Membership
from appui.core.audit import audit_context
from appui.core.enums import Role
from appui.directory.models import Service
from appui.persons.models import Person
from appui.territory.demo import DOMAIN
from appui.territory.models import Commune, Organisation, Professional

from . import screening, services, workflow
from .enums import Answer, Channel, ContactKind, GpInformationChannel, RequesterKind, ResponseType
from .enums import IntensityLevel as L
from .models import RequestReason, SupportRequest


def _at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _working_day(days_ago: int) -> int:
    """The nearest working day at or before `days_ago` (demo steps happen on working days)."""
    from .delays import is_working_day

    while not is_working_day(timezone.localdate() - timedelta(days=days_ago)):
        days_ago += 1
    return days_ago


class Demo:
    def __init__(self, dac):
        self.dac = dac
        # One member per role: the first account holding it (the director also coordinates).
        self.staff = {}
        for membership in (
            Membership.objects.filter(organisation=dac, is_active=True)
            .select_related("user", "organisation")
            .order_by("pk")
        ):
            if membership.user.email.endswith(DOMAIN):
                self.staff.setdefault(membership.role, membership)
        services.ensure_default_reasons(dac)
        self.reasons = {r.label: r for r in RequestReason.objects.filter(dac=dac)}
        self.persons = {
            (p.birth_name, p.first_name): p for p in Person.objects.filter(dac=dac).current()
        }

    def member(self, role):
        return self.staff[role]

    def pro(self, first, last):
        return Professional.objects.get(first_name=first, last_name=last)

    def create(self, when, role, person, reasons, **fields):
        with time_machine.travel(when, tick=False):
            request = SupportRequest(dac=self.dac, person=person, received_at=when, **fields)
            return services.create_request(
                self.member(role), request, [self.reasons[r] for r in reasons]
            )

    def step(self, when, function, *args, **kwargs):
        """Run a service at `when`; when it acts as a staff member (its first argument), the
        events and access-log rows name them, as if they had clicked."""
        membership = args[0] if args and isinstance(args[0], Membership) else None
        with time_machine.travel(when, tick=False):
            if membership is None:
                return function(*args, **kwargs)
            user = membership.user
            with audit_context(
                user_id=user.pk,
                user_label=user.email,
                user_name=user.get_full_name(),
                role=membership.role,
                organisation_id=membership.organisation_id,
                view_name="seed_demo",
            ):
                return function(*args, **kwargs)


def seed(stdout):
    dac = Organisation.objects.get(name="DAC Scarpe-Escaut")
    if SupportRequest.all_objects.filter(dac=dac).exists():
        stdout.write(f"Demandes : {SupportRequest.objects.filter(dac=dac).count()} (déjà créées)")
        return []
    demo = Demo(dac)
    assistant = demo.member(Role.ASSISTANT)
    coordinator = demo.member(Role.COORDINATOR)
    case_manager = demo.member(Role.CASE_MANAGER)
    person = demo.persons
    rieulay = Commune.objects.get(insee_code="59501")

    # S1 — the pharmacist of Rieulay: information + orientation, an unmet need, closed same day.
    day = _working_day(12)
    martin = demo.create(
        _at(day, 10, 5),
        Role.ASSISTANT,
        person[("MARTIN", "Lucienne")],
        ["Maintien à domicile difficile", "Isolement"],
        channel=Channel.PHONE,
        requester_kind=RequesterKind.PROFESSIONAL,
        requester_professional=demo.pro("Julien", "Carpentier"),
        requester_organisation=Organisation.objects.get(name="Pharmacie de Rieulay"),
        description="Mme Martin, 84 ans, vit seule à Rieulay. Elle demande au pharmacien comment "
        "se faire livrer ses repas et s'équiper d'une téléassistance.",
        gp_known=Answer.NO,
        person_informed=Answer.YES,
        person_agrees=Answer.YES,
    )
    demo.step(_at(day, 10, 6), workflow.take_in_analysis, assistant, martin)
    meals = [
        service
        for service in Service.objects.filter(
            organisation__name__in=["Les Repas de la Pévèle", "ADMR des Deux Rivières"]
        )
        if "portage-repas" in service.themes
    ]
    demo.step(
        _at(day, 10, 25),
        workflow.give_response,
        assistant,
        martin,
        ResponseType.INFORMATION,
        "Informations données au pharmacien sur les aides au maintien à domicile (APA, caisse de "
        "retraite) et sur le rôle du DAC.",
    )
    demo.step(
        _at(day, 10, 30),
        workflow.give_response,
        assistant,
        martin,
        ResponseType.ORIENTATION,
        "Deux services de portage de repas interviennent à Rieulay ; aucun prestataire de "
        "téléassistance ne couvre la commune (besoin non couvert enregistré).",
        services=meals,
        unmet_needs=[
            {
                "theme": "teleassistance",
                "commune": rieulay,
                "public": "seniors",
                "description": "Aucun prestataire de téléassistance n'intervient à Rieulay.",
            }
        ],
    )
    demo.step(_at(day, 10, 35), workflow.close_request, assistant, martin, "Réponse donnée.")

    # S2 — hospital discharge: screening positive, accompaniment at level 2, GP informed.
    day = _working_day(20)
    benali = demo.create(
        _at(day, 9, 40),
        Role.ASSISTANT,
        person[("BENALI", "Ahmed")],
        ["Sortie d'hospitalisation", "Épuisement de l'aidant"],
        channel=Channel.SECURE_MESSAGE,
        requester_kind=RequesterKind.PROFESSIONAL,
        requester_professional=demo.pro("Nadia", "Benkhaled"),
        requester_organisation=Organisation.objects.get(name="Centre hospitalier de la Scarpe"),
        description="M. Benali, 72 ans, BPCO et insuffisance cardiaque, troisième hospitalisation "
        "en six mois. Vit avec son épouse, épuisée. Sortie prévue dans trois jours.",
        gp_known=Answer.YES,
        person_informed=Answer.YES,
        person_agrees=Answer.YES,
    )
    demo.step(_at(day, 10, 0), workflow.take_in_analysis, coordinator, benali)
    demo.step(
        _at(day, 11, 0),
        screening.record_screening,
        coordinator,
        benali,
        [
            "several_pathologies",
            "repeated_hospitalisations",
            "hospital_discharge",
            "carer_exhausted",
        ],
        True,
        "Pneumologue, infirmier, SSIAD, aide à domicile et accueil de jour : plusieurs catégories "
        "de professionnels sont nécessaires.",
    )
    demo.step(
        _at(day, 15, 0),
        workflow.give_response,
        coordinator,
        benali,
        ResponseType.COORDINATION,
        "Inclusion en accompagnement après accord de M. Benali : évaluation à domicile dans la "
        "semaine, concertation avec l'infirmier, le SSIAD et le Dr Morel.",
        level=L.SHORT_TERM,
    )
    demo.step(
        _at(day, 15, 20),
        services.record_gp_information,
        coordinator,
        benali,
        GpInformationChannel.MSSANTE,
    )

    # S3 — Friday 17:10, an emergency at home: level urgence, organised the same evening.
    days = 1
    while (timezone.localdate() - timedelta(days=days)).weekday() != 4:
        days += 1
    dufour = demo.create(
        _at(days, 17, 10),
        Role.COORDINATOR,
        person[("DUFOUR", "René")],
        ["Fin de vie", "Rupture de parcours"],
        channel=Channel.PHONE,
        urgency="urgent",
        requester_kind=RequesterKind.PROFESSIONAL,
        requester_professional=demo.pro("Hugo", "Lambert"),
        description="Cancer évolué, à domicile. Son épouse a été hospitalisée cet après-midi : il "
        "ne peut pas rester seul cette nuit.",
        gp_known=Answer.YES,
        person_informed=Answer.YES,
        person_agrees=Answer.YES,
    )
    demo.step(_at(days, 17, 12), workflow.take_in_analysis, coordinator, dufour)
    demo.step(
        _at(days, 18, 5),
        workflow.give_response,
        coordinator,
        dufour,
        ResponseType.COORDINATION,
        "HAD Hainaut-Scarpe jointe : passage ce soir et garde de nuit organisée. Réévaluation à "
        "24 h et 48 h.",
        level=L.URGENT,
    )
    demo.step(_at(days, 18, 15), services.record_gp_information, coordinator, dufour, "phone")

    # S4 — a daughter who can no longer cope: consent obtained at the home visit two days later,
    # case management; the GP is not informed yet.
    day = _working_day(6)
    roux = demo.create(
        _at(day, 14, 30),
        Role.ASSISTANT,
        person[("GARIN", "Jeanne")],
        ["Troubles cognitifs", "Chutes répétées", "Épuisement de l'aidant"],
        channel=Channel.PHONE,
        requester_kind=RequesterKind.CARER,
        requester_name="Sophie ROUX",
        requester_relationship="Fille",
        requester_contact="06 12 34 56 03",
        description="Maladie d'Alzheimer, vit seule, chutes fréquentes, refuse les aides. Sa "
        "fille ne peut plus faire face. Le médecin traitant ne sait pas que le DAC est sollicité.",
        gp_known=Answer.YES,
        person_informed=Answer.NO,
        person_agrees=Answer.UNKNOWN,
    )
    demo.step(_at(day, 15, 0), workflow.take_in_analysis, case_manager, roux)
    demo.step(
        _at(day, 15, 10),
        services.log_contact,
        case_manager,
        request=roux,
        kind=ContactKind.CALL_OUT,
        with_whom="Sophie Roux (fille)",
        purpose="Préparer la visite à domicile",
        outcome="Visite fixée dans deux jours, en présence de la fille.",
        duration_minutes=20,
    )
    visit = _working_day(day - 2) if day > 2 else day
    demo.step(
        _at(visit, 11, 0),
        workflow.record_person_agreement,
        case_manager,
        roux,
        Answer.YES,
        (timezone.localdate() - timedelta(days=visit)),
        "Accord oral recueilli lors de la visite à domicile, en présence de sa fille.",
    )
    demo.step(
        _at(visit, 16, 0),
        workflow.give_response,
        case_manager,
        roux,
        ResponseType.CASE_MANAGEMENT,
        "Situation relevant de la gestion de cas : troubles cognitifs, chutes, refus d'aide, "
        "aidante épuisée.",
        level=L.LONG_TERM,
        case_manager=case_manager.user,
    )

    # S6 — Mme Lenoir refuses the accompaniment; her nurse is told; the request is closed.
    day = _working_day(9)
    lenoir = demo.create(
        _at(day, 9, 15),
        Role.ASSISTANT,
        person[("LENOIR", "Odette")],
        ["Maintien à domicile difficile", "Isolement"],
        channel=Channel.PHONE,
        requester_kind=RequesterKind.PROFESSIONAL,
        requester_professional=demo.pro("Sandrine", "Lefebvre"),
        description="Perte d'autonomie, isolement, refus des aides jusqu'ici.",
        gp_known=Answer.UNKNOWN,
        person_informed=Answer.YES,
    )
    demo.step(_at(day, 10, 0), workflow.take_in_analysis, coordinator, lenoir)
    demo.step(
        _at(day, 16, 0),
        workflow.give_response,
        coordinator,
        lenoir,
        ResponseType.REFUSED_BY_PERSON,
        "Mme Lenoir, rencontrée avec son infirmière, refuse l'accompagnement proposé.",
    )
    demo.step(
        _at(day, 16, 30),
        services.log_contact,
        coordinator,
        request=lenoir,
        kind=ContactKind.CALL_OUT,
        with_whom="Sandrine Lefebvre, infirmière",
        with_professional=demo.pro("Sandrine", "Lefebvre"),
        purpose="Informer la demandeuse du refus",
        outcome="L'infirmière reste attentive et recontactera le DAC si la situation change.",
        duration_minutes=10,
    )

    # S6 — M. Fontaine, accompanied since March.
    march = timezone.make_aware(datetime(timezone.localdate().year, 3, 10, 9, 30))
    if march.date() > timezone.localdate():
        march = march.replace(year=march.year - 1)
    fontaine = demo.create(
        march,
        Role.ASSISTANT,
        person[("FONTAINE", "Marcel")],
        ["Maintien à domicile difficile", "Fin de vie"],
        channel=Channel.SECURE_MESSAGE,
        requester_kind=RequesterKind.PROFESSIONAL,
        requester_professional=demo.pro("Claire", "Morel"),
        description="Insuffisance rénale terminale, perte d'autonomie rapide.",
        gp_known=Answer.YES,
        person_informed=Answer.YES,
        person_agrees=Answer.YES,
    )
    demo.step(march + timedelta(hours=1), workflow.take_in_analysis, coordinator, fontaine)
    demo.step(
        march + timedelta(days=1),
        workflow.give_response,
        coordinator,
        fontaine,
        ResponseType.COORDINATION,
        "Inclusion en accompagnement, niveau long terme.",
        level=L.LONG_TERM,
    )

    # S8 — Lucas, 16: one-off support, then referral to the Communauté 360, which accepts.
    day = _working_day(15)
    petit = demo.create(
        _at(day, 13, 45),
        Role.ASSISTANT,
        person[("PETIT", "Lucas")],
        ["Situation de handicap", "Scolarité, insertion", "Précarité"],
        channel=Channel.EMAIL,
        requester_kind=RequesterKind.PROFESSIONAL,
        requester_professional=demo.pro("Isabelle", "Dumont"),
        requester_organisation=Organisation.objects.get(name="Collège Jean-Moulin"),
        description="Lucas, 16 ans, trouble du spectre de l'autisme, exclu du collège. Famille en "
        "difficulté financière. Sa mère est sa représentante légale.",
        gp_known=Answer.UNKNOWN,
        person_informed=Answer.YES,
        person_agrees=Answer.YES,
    )
    demo.step(_at(day, 14, 0), workflow.take_in_analysis, coordinator, petit)
    demo.step(
        _at(_working_day(day - 1), 10, 0),
        workflow.give_response,
        coordinator,
        petit,
        ResponseType.ONE_OFF_SUPPORT,
        "Rendez-vous pris avec la référente de la MDPH ; vérification des droits de la famille.",
    )
    referral = demo.step(
        _at(_working_day(day - 1), 10, 30),
        workflow.give_response,
        coordinator,
        petit,
        ResponseType.REFERRAL_OUT,
        "Réorientation vers la Communauté 360 pour l'accompagnement de Lucas et de sa famille.",
        referral_organisation=Organisation.objects.get(name="Communauté 360 du Nord"),
    )
    decided = _working_day(day - 4)
    demo.step(
        _at(decided, 9, 0),
        workflow.record_referral_decision,
        coordinator,
        referral,
        True,
        timezone.localdate() - timedelta(days=decided),
    )
    demo.step(_at(decided, 9, 5), workflow.close_request, coordinator, petit, "Relais pris.")

    _ordinary_requests(demo, stdout)
    stdout.write(f"Demandes : {SupportRequest.objects.filter(dac=dac).count()}")
    return []


# What an ordinary day brings: (reasons, description, response) by profile.
PROFILES = [
    (
        ["Maintien à domicile difficile"],
        "Besoin d'aide à domicile après une chute.",
        ResponseType.ORIENTATION,
    ),
    (
        ["Accès aux droits"],
        "Questions sur l'APA et l'aide sociale à l'hébergement.",
        ResponseType.INFORMATION,
    ),
    (
        ["Sortie d'hospitalisation"],
        "Retour à domicile à organiser après une fracture du col.",
        ResponseType.ONE_OFF_SUPPORT,
    ),
    (
        ["Épuisement de l'aidant", "Troubles cognitifs"],
        "Aidant épuisé, troubles de la mémoire.",
        ResponseType.COORDINATION,
    ),
    (
        ["Souffrance psychique", "Isolement"],
        "Isolement et repli depuis le décès du conjoint.",
        ResponseType.ORIENTATION,
    ),
    (
        ["Situation de handicap"],
        "Adulte en situation de handicap, renouvellement des droits.",
        ResponseType.REFERRAL_OUT,
    ),
    (["Précarité"], "Logement insalubre, ressources faibles.", ResponseType.NO_FOLLOW_UP),
]


def _ordinary_requests(demo, stdout):
    rng = random.Random(77)
    journeys = {"MARTIN", "BENALI", "DUFOUR", "GARIN", "LENOIR", "FONTAINE", "PETIT"}
    others = [
        p
        for (name, _), p in sorted(demo.persons.items())
        if name not in journeys and not name.startswith("LEF")
    ][:45]
    physicians = list(Professional.objects.filter(profession__in=["physician", "nurse"])[:40])
    mdph = Organisation.objects.get(name="MDPH du Nord")
    services_pool = [s for s in Service.objects.order_by("pk") if "aide-a-domicile" in s.themes][:6]
    staff = [demo.member(Role.ASSISTANT), demo.member(Role.COORDINATOR)]
    for index, person in enumerate(others):
        reasons, description, response = PROFILES[index % len(PROFILES)]
        age = rng.randint(0, 55) if index >= 8 else rng.choice([0, 1, 3, 4, 6])
        day = _working_day(age)
        urgent = index % 11 == 3
        request = demo.create(
            _at(day, rng.randint(8, 16), rng.choice([0, 15, 30, 45])),
            Role.ASSISTANT,
            person,
            reasons,
            channel=rng.choice(list(Channel)),
            urgency="urgent" if urgent else "normal",
            requester_kind=RequesterKind.PROFESSIONAL,
            requester_professional=rng.choice(physicians),
            description=description,
            gp_known=Answer.YES if person.gp_id else Answer.UNKNOWN,
            person_informed=Answer.YES,
            person_agrees=Answer.YES if index % 5 else Answer.UNKNOWN,
        )
        member = staff[index % 2]
        if index < 4:  # new, some of them past their first-answer deadline
            continue
        demo.step(_at(day, 17, 0), workflow.take_in_analysis, member, request)
        if index < 8:  # in analysis
            continue
        answered = _working_day(max(day - rng.randint(0, 2), 0))
        kwargs = {}
        if response == ResponseType.ORIENTATION:
            kwargs["services"] = rng.sample(services_pool, 2) if services_pool else []
        if response == ResponseType.REFERRAL_OUT:
            kwargs["referral_organisation"] = mdph
        if response == ResponseType.COORDINATION:
            kwargs["level"] = rng.choice([L.RISK, L.SHORT_TERM, L.LONG_TERM])
        when = _at(answered, 17, 30) if answered < day else _at(answered, 17, 45)
        demo.step(when, workflow.give_response, member, request, response, description, **kwargs)
        if response in (ResponseType.ORIENTATION, ResponseType.INFORMATION) and index % 3:
            demo.step(when + timedelta(minutes=5), workflow.close_request, member, request)
