"""Demo accompaniments of DAC Scarpe-Escaut: the episodes opened by the demo requests, carried on
to show every stage — newly included (Mme Roux), urgent (M. Dufour), assessment done, PPCS
awaiting the GP, active with an overdue action (M. Benali, the APA application), exited (M.
Fontaine, died in September) — plus a concertation this week and home visits.

Like the requests, every step goes through the services the pages use, at the date it happened.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from appui.accounts.models import Membership
from appui.core.enums import Role
from appui.directory.models import Service
from appui.intake.demo import Demo, _working_day
from appui.intake.enums import ContactKind
from appui.intake.enums import IntensityLevel as L
from appui.persons.models import Carer, Person
from appui.territory.demo import DOMAIN
from appui.territory.models import Organisation, Professional

from . import alerts, assessments, followup, meetings, plans, services
from .enums import (
    ActionKind,
    ActionStatus,
    AssessmentPlace,
    ConsentAnswer,
    ConsentGivenBy,
    EpisodeKind,
    ExitReason,
    InformationChannel,
)
from .models import Assessment, CareEpisode


def _day_at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _working_after(day: date, days: int) -> date:
    """`days` working days after `day` (demo steps happen on working days)."""
    from appui.intake.delays import is_working_day

    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def _filled(definition: dict, given: dict) -> dict:
    """Answers for every question of a grid: the given ones, "A" for the other A/B/C questions
    (AGGIR: does alone), and a plausible neutral answer for the other required ones."""
    answers = {}
    for _domain, question in assessments.iter_questions(definition):
        code, kind = question["code"], question["type"]
        if code in given:
            answers[code] = given[code]
        elif kind == "abc":
            answers[code] = "A"
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


class CareDemo:
    def __init__(self, dac):
        self.demo = Demo(dac)
        self.dac = dac
        self.coordinator = self.demo.member(Role.COORDINATOR)
        self.case_manager = self.demo.member(Role.CASE_MANAGER)
        self.physician = self.demo.member(Role.SUPPORT_PHYSICIAN)
        self.gp_morel = Membership.objects.get(
            user__email=f"dr.morel@{DOMAIN}", role=Role.PARTNER, is_active=True
        )

    def step(self, when, function, membership, *args, **kwargs):
        """Run a service as `membership`'s user would (events and access log name them)."""
        return self.demo.step(when, function, membership, *args, **kwargs)

    def pro(self, first, last):
        return Professional.objects.get(first_name=first, last_name=last)

    def service(self, organisation_name):
        return Service.objects.filter(organisation__name=organisation_name).first()

    def episode(self, birth_name, first_name) -> CareEpisode:
        return CareEpisode.objects.get(
            dac=self.dac, person__birth_name=birth_name, person__first_name=first_name
        )

    def carer(self, person, first_name):
        return Carer.objects.get(person=person, first_name=first_name)

    # --- Steps -----------------------------------------------------------------------------------

    def include(self, episode, day, *, who, how=InformationChannel.HOME_VISIT, gp_how=None):
        """Consent at `day` and the GP informed the same day."""
        self.step(
            _day_at(day, 16, 30),
            services.record_consent,
            who,
            episode,
            informed_by=who.user,
            informed_how=how,
            informed_on=day,
            answer=ConsentAnswer.AGREES,
            given_by=ConsentGivenBy.PERSON,
        )
        if episode.person.gp_id:
            self.step(
                _day_at(day, 17, 0),
                services.record_gp_informed,
                who,
                episode,
                informed_on=day,
                how=gp_how or InformationChannel.MSSANTE,
            )

    def assess(self, episode, day, who, code, *, given=None, needs=(), participants=""):
        form = assessments.shipped_form(code)
        when = _day_at(day, 10, 0)
        assessment = self.step(
            when,
            assessments.start_assessment,
            who,
            episode,
            form,
            assessed_on=day,
            place=AssessmentPlace.HOME,
            participants=participants,
        )
        return self.step(
            when + timedelta(hours=2),
            assessments.complete_assessment,
            who,
            assessment,
            expected_version=assessment.lock_version,
            answers=_filled(form.definition, given or {}),
            needs=list(needs),
        )

    def plan(self, episode, day, who, *, synthesis, review_in_days, goals):
        """A PPCS draft with its goals and actions: `goals` = [(title, [action fields…])]."""
        when = _day_at(day, 14, 0)
        version = self.step(when, plans.start_plan_version, who, episode)
        version = self.step(
            when,
            plans.save_plan_version,
            who,
            version,
            expected_version=version.lock_version,
            review_on=day + timedelta(days=review_in_days),
            **synthesis,
        )
        actions = {}
        for position, (title, items) in enumerate(goals, start=1):
            version.refresh_from_db()
            goal = self.step(
                when,
                plans.add_goal,
                who,
                version,
                expected_version=version.lock_version,
                title=title,
                position=position,
            )
            for fields in items:
                version.refresh_from_db()
                action = self.step(
                    when,
                    plans.add_action,
                    who,
                    version,
                    expected_version=version.lock_version,
                    goal=goal,
                    **fields,
                )
                actions[fields["description"]] = action
        version.refresh_from_db()
        version = self.step(
            when + timedelta(hours=1),
            plans.submit_plan_version,
            who,
            version,
            expected_version=version.lock_version,
        )
        return version, actions

    def validate_and_agree(self, version, day, who, *, by, gp_in_app=False):
        if gp_in_app:
            self.step(
                _day_at(day, 12, 30),
                plans.validate_by_gp,
                self.gp_morel,
                version,
                validated_on=day,
                channel=InformationChannel.IN_APP,
                comment="D'accord avec le plan ; je revois M. Benali après la consultation de "
                "pneumologie.",
            )
        else:
            self.step(
                _day_at(day, 12, 30),
                plans.validate_by_gp,
                who,
                version,
                validated_on=day,
                channel=InformationChannel.MSSANTE,
            )
        version.refresh_from_db()
        return self.step(
            _day_at(day, 17, 0),
            plans.record_person_agreement,
            who,
            version,
            agreed_on=day,
            how=InformationChannel.HOME_VISIT,
            by=by,
        )


def seed(stdout):
    dac = Organisation.objects.get(name="DAC Scarpe-Escaut")
    if Assessment.objects.filter(episode__dac=dac).exists():
        stdout.write(
            f"Accompagnements : {CareEpisode.objects.filter(dac=dac).count()} (déjà créés)"
        )
        return []
    demo = CareDemo(dac)
    _benali(demo)
    _dufour(demo)
    _roux(demo)
    _fontaine(demo)
    _assessment_done(demo)
    _awaiting_gp(demo)
    _this_week(demo)
    summary = alerts.compute_alerts(dac=dac)
    stdout.write(
        f"Accompagnements : {CareEpisode.objects.filter(dac=dac).count()} ; "
        f"alertes en cours : {summary.live}"
    )
    return []


def _benali(demo: CareDemo):
    """S2: included after the hospital's request; AGGIR GIR 3 at home; concertation; PPCS
    validated by Dr Morel in Appui and agreed (with the physiotherapist's exercise plan, the one
    part of the PPCS M. Benali lets him see, S5); the APA application is now overdue."""
    coordinator = demo.coordinator
    episode = demo.episode("BENALI", "Ahmed")
    person = episode.person
    included = episode.opened_on
    demo.include(episode, included, who=coordinator, how=InformationChannel.PHONE)
    visit = _working_after(included, 3)
    demo.assess(
        episode,
        visit,
        coordinator,
        assessments.AGGIR_CODE,
        participants="M. et Mme Benali ; Camille Dubois (DAC)",
        given={
            "toilette_haut": "C",
            "toilette_bas": "C",
            "habillage_haut": "C",
            "habillage_moyen": "C",
            "habillage_bas": "C",
            "transferts": "B",
            "deplacement_interieur": "B",
            "deplacement_exterieur": "C",
            "gestion": "B",
            "cuisine": "C",
            "menage": "C",
            "transport": "C",
            "achats": "C",
            "suivi_traitement": "B",
        },
    )
    demo.assess(
        episode,
        visit,
        coordinator,
        assessments.MULTIDIMENSIONAL_CODE,
        participants="M. et Mme Benali ; Camille Dubois (DAC)",
        needs=[
            (
                "health",
                "Décompensations répétées (BPCO, insuffisance cardiaque) : trois "
                "hospitalisations en six mois",
            ),
            ("health", "Neuf médicaments par jour, erreurs de prise depuis la sortie"),
            ("autonomy", "Aide nécessaire pour la toilette et l'habillage (GIR 3)"),
            ("carers", "Épouse aidante épuisée, sans relais"),
            ("rights", "Allocation personnalisée d'autonomie non demandée"),
        ],
    )
    concertation = _working_after(visit, 3)
    meeting = demo.step(
        _day_at(concertation, 13, 0),
        meetings.create_meeting,
        coordinator,
        held_at=_day_at(concertation, 13, 30),
        title="Concertation — retour à domicile de M. Benali",
        place="Maison de santé des Deux Rivières",
        minutes="Situation présentée par la coordinatrice après la visite à domicile. Accord "
        "de tous pour un plan centré sur la prévention des réhospitalisations et le répit de "
        "Mme Benali.",
        episodes=[episode],
    )
    for professional, role in (
        (demo.pro("Claire", "Morel"), "Médecin traitant"),
        (demo.pro("Sandrine", "Lefebvre"), "Infirmière libérale"),
        (demo.pro("Émilie", "Caron"), "Infirmière coordinatrice du SSIAD"),
    ):
        demo.step(
            _day_at(concertation, 13, 0),
            meetings.add_participant,
            coordinator,
            meeting,
            professional=professional,
            role=role,
        )
    demo.step(
        _day_at(concertation, 13, 0),
        meetings.add_participant,
        coordinator,
        meeting,
        user=coordinator.user,
        role="Coordinatrice de parcours, référente",
    )
    situation = meeting.situations.get()
    demo.step(
        _day_at(concertation, 15, 0),
        meetings.update_situation,
        coordinator,
        situation,
        discussion="Trois hospitalisations en six mois ; épouse épuisée ; GIR 3.",
        decisions="Passage infirmier quotidien ; SSIAD pour la toilette ; portage de repas ; "
        "accueil de jour deux jours par semaine ; dossier APA ; consultation de pneumologie "
        "sous un mois.",
    )
    drafted = _working_after(concertation, 1)
    wife = demo.carer(person, "Fatima")
    version, actions = demo.plan(
        episode,
        drafted,
        coordinator,
        synthesis={
            "situation": "M. Benali, 72 ans, BPCO et insuffisance cardiaque, vit avec son "
            "épouse à Saint-Amand-les-Eaux. Trois hospitalisations en six mois.",
            "wishes": "Rester chez lui avec son épouse ; ne plus retourner à l'hôpital.",
            "preferences": "Visites le matin ; préfère être appelé sur le portable de son épouse.",
            "difficulties": "Essoufflement à l'effort ; traitement complexe ; épuisement de "
            "l'aidante.",
            "useful_contacts": "Mme Fatima Benali (épouse) 06 12 34 56 01 ; SSIAD de la "
            "Pévèle-Scarpe 03 27 00 23 00.",
        },
        review_in_days=90,
        goals=[
            (
                "Éviter une nouvelle hospitalisation",
                [
                    {
                        "kind": ActionKind.CARE,
                        "description": "Passage infirmier quotidien (traitement, surveillance "
                        "du poids et de l'essoufflement)",
                        "responsible": demo.pro("Sandrine", "Lefebvre"),
                        "starts_on": drafted,
                        "periodicity": "tous les jours",
                    },
                    {
                        "kind": ActionKind.CARE,
                        "description": "Plan d'exercices de réentraînement à l'effort "
                        "(kinésithérapie respiratoire à domicile)",
                        "responsible": demo.pro("Thomas", "Vasseur"),
                        "starts_on": drafted + timedelta(days=7),
                        "periodicity": "deux fois par semaine",
                    },
                    {
                        "kind": ActionKind.CARE,
                        "description": "Consultation de pneumologie",
                        "responsible_label": "Service de pneumologie, CH de la Scarpe",
                        "due_on": drafted + timedelta(days=30),
                    },
                ],
            ),
            (
                "Soulager Mme Benali",
                [
                    {
                        "kind": ActionKind.SUPPORT,
                        "description": "Accueil de jour deux jours par semaine",
                        "responsible": demo.service("Accueil de jour Les Hortensias") or None,
                        "responsible_label": "Accueil de jour Les Hortensias",
                        "starts_on": drafted + timedelta(days=7),
                        "periodicity": "mardi et jeudi",
                    },
                    {
                        "kind": ActionKind.SUPPORT,
                        "description": "Dépôt du dossier APA au conseil départemental",
                        "responsible": wife,
                        "due_on": drafted + timedelta(days=7),
                    },
                ],
            ),
            (
                "Sécuriser la prise des médicaments",
                [
                    {
                        "kind": ActionKind.PREVENTION,
                        "description": "Pilulier préparé chaque semaine par la pharmacie",
                        "responsible": demo.pro("Julien", "Carpentier"),
                        "periodicity": "chaque semaine",
                    },
                    {
                        "kind": ActionKind.SUPPORT,
                        "description": "Portage de repas à domicile",
                        "responsible": demo.service("Les Repas de la Pévèle") or None,
                        "responsible_label": "Les Repas de la Pévèle",
                        "starts_on": drafted + timedelta(days=2),
                        "periodicity": "tous les midis",
                    },
                ],
            ),
        ],
    )
    validated = _working_after(drafted, 2)
    demo.validate_and_agree(version, validated, coordinator, by="M. Ahmed Benali", gp_in_app=True)
    for description, status in (
        (
            "Passage infirmier quotidien (traitement, surveillance du poids et de l'essoufflement)",
            ActionStatus.IN_PROGRESS,
        ),
        ("Portage de repas à domicile", ActionStatus.DONE),
    ):
        demo.step(
            _day_at(_working_after(validated, 2), 9, 0),
            plans.set_action_status,
            coordinator,
            actions[description],
            status,
        )
    demo.step(
        _day_at(_working_after(validated, 3), 11, 0),
        followup.log_episode_contact,
        coordinator,
        episode,
        kind=ContactKind.CALL_OUT,
        purpose="Point sur le retour à domicile",
        at=_day_at(_working_after(validated, 3), 11, 0),
        with_whom="Mme Fatima Benali (épouse)",
        with_professional=None,
        outcome="Le dossier APA n'est pas encore envoyé : Mme Benali attend un justificatif.",
        duration_minutes=15,
    )


def _dufour(demo: CareDemo):
    """S3: urgent since Friday evening; consent by phone; no reassessment yet — the 24 h and
    48 h alerts are raised by the alerts run."""
    episode = demo.episode("DUFOUR", "René")
    demo.include(
        episode,
        episode.opened_on,
        who=demo.coordinator,
        how=InformationChannel.PHONE,
        gp_how=InformationChannel.PHONE,
    )


def _roux(demo: CareDemo):
    """S4: newly included in case management; consent at the home visit; visit planned."""
    episode = demo.episode("GARIN", "Jeanne")
    demo.include(episode, episode.opened_on, who=demo.case_manager)
    today = timezone.localdate()
    demo.step(
        timezone.now(),
        followup.plan_home_visit,
        demo.case_manager,
        episode,
        planned_at=_day_at(today + timedelta(days=1), 10, 0),
        staff=demo.case_manager.user,
        purpose="Évaluation multidimensionnelle et grille AGGIR avec Mme Sophie Roux",
    )


def _fontaine(demo: CareDemo):
    """S6: accompanied since March (GIR 2, PPCS in force), died in September."""
    coordinator = demo.coordinator
    episode = demo.episode("FONTAINE", "Marcel")
    included = episode.opened_on
    demo.include(episode, included, who=coordinator)
    assessed = _working_after(included, 5)
    demo.assess(
        episode,
        assessed,
        coordinator,
        assessments.AGGIR_CODE,
        participants="M. Fontaine et son fils Gérard",
        given={
            "coherence": "B",
            "orientation": "B",
            "toilette_haut": "C",
            "toilette_bas": "C",
            "habillage_haut": "C",
            "habillage_moyen": "C",
            "habillage_bas": "C",
            "alimentation_se_servir": "C",
            "alimentation_manger": "B",
            "elimination_urinaire": "C",
            "elimination_fecale": "B",
            "transferts": "C",
            "deplacement_interieur": "C",
            "deplacement_exterieur": "C",
            "communication": "B",
        },
        needs=[],
    )
    drafted = _working_after(assessed, 3)
    version, _ = demo.plan(
        episode,
        drafted,
        coordinator,
        synthesis={
            "situation": "Insuffisance rénale terminale, perte d'autonomie rapide.",
            "wishes": "Finir sa vie chez lui.",
            "preferences": "",
            "difficulties": "Fatigue majeure ; son fils habite à 40 km.",
            "useful_contacts": "M. Gérard Fontaine (fils) 06 12 34 56 05.",
        },
        review_in_days=120,
        goals=[
            (
                "Permettre le maintien à domicile jusqu'au bout",
                [
                    {
                        "kind": ActionKind.CARE,
                        "description": "Hospitalisation à domicile (soins palliatifs)",
                        "responsible_label": "HAD Hainaut-Scarpe",
                        "starts_on": drafted,
                        "periodicity": "tous les jours",
                    }
                ],
            )
        ],
    )
    demo.validate_and_agree(
        version, _working_after(drafted, 2), coordinator, by="M. Marcel Fontaine"
    )
    september = date(included.year, 9, 14)
    demo.step(
        _day_at(september, 11, 0),
        services.close_episode,
        coordinator,
        episode,
        exit_reason=ExitReason.DEATH,
        closed_on=september,
        note="Décédé à domicile, entouré de sa famille, comme il le souhaitait.",
    )


def _others(demo: CareDemo, count: int):
    """Ordinary persons of the DAC with no episode yet (the oldest records first)."""
    return list(
        Person.objects.filter(
            dac=demo.dac, care_episodes__isnull=True, support_requests__isnull=True
        )
        .current()
        .order_by("-pk")[:count]
    )


def _assessment_done(demo: CareDemo):
    """Opened directly after a CCAS alert; the multidimensional assessment is done, the PPCS
    not yet drafted."""
    person = _others(demo, 1)[0]
    opened = timezone.localdate() - timedelta(days=_working_day(12))
    episode = demo.step(
        _day_at(opened, 9, 0),
        services.open_episode,
        demo.coordinator,
        person,
        kind=EpisodeKind.COORDINATION,
        level=L.SHORT_TERM,
        referent=demo.coordinator.user,
        opening_reason="Signalement du CCAS : logement insalubre, refus de soins, isolement.",
        opened_on=opened,
    )
    demo.include(episode, opened, who=demo.coordinator)
    demo.assess(
        episode,
        _working_after(opened, 4),
        demo.coordinator,
        assessments.MULTIDIMENSIONAL_CODE,
        participants="La personne ; l'assistante sociale du CCAS",
        needs=[
            ("housing", "Logement insalubre (humidité, chauffage défaillant)"),
            ("health", "Pas de suivi médical depuis deux ans"),
            ("social_life", "Isolement : aucune visite régulière"),
        ],
    )


def _awaiting_gp(demo: CareDemo):
    """A PPCS submitted to the médecin traitant, awaiting the validation."""
    person = next(p for p in _others(demo, 10) if p.gp_id)
    opened = timezone.localdate() - timedelta(days=_working_day(30))
    episode = demo.step(
        _day_at(opened, 9, 0),
        services.open_episode,
        demo.case_manager,
        person,
        kind=EpisodeKind.CASE_MANAGEMENT,
        level=L.LONG_TERM,
        referent=demo.case_manager.user,
        case_manager=demo.case_manager.user,
        opening_reason="Orientation par la MAIA voisine : situation instable, aidant absent.",
        opened_on=opened,
    )
    demo.include(episode, opened, who=demo.case_manager)
    assessed = _working_after(opened, 5)
    demo.assess(
        episode,
        assessed,
        demo.case_manager,
        assessments.AGGIR_CODE,
        given={
            "toilette_haut": "B",
            "toilette_bas": "B",
            "habillage_haut": "B",
            "habillage_moyen": "B",
            "habillage_bas": "B",
            "elimination_urinaire": "B",
            "transferts": "B",
        },
    )
    demo.assess(
        episode,
        assessed,
        demo.case_manager,
        assessments.MULTIDIMENSIONAL_CODE,
        needs=[
            ("autonomy", "Aide partielle pour la toilette, l'habillage et les transferts"),
            ("carers", "Aucun proche en mesure de coordonner l'aide"),
        ],
    )
    demo.plan(
        episode,
        timezone.localdate() - timedelta(days=_working_day(2)),
        demo.case_manager,
        synthesis={
            "situation": "Vit seul·e, perte d'autonomie progressive, aucun proche disponible.",
            "wishes": "Rester à domicile.",
            "preferences": "",
            "difficulties": "Refus initial des aides.",
            "useful_contacts": "",
        },
        review_in_days=60,
        goals=[
            (
                "Mettre en place les aides à domicile",
                [
                    {
                        "kind": ActionKind.SUPPORT,
                        "description": "Aide à domicile trois matinées par semaine",
                        "responsible_label": "SAAD du territoire",
                        "starts_on": timezone.localdate() + timedelta(days=7),
                        "periodicity": "lundi, mercredi et vendredi",
                    }
                ],
            )
        ],
    )


def _this_week(demo: CareDemo):
    """A concertation later this week and a home visit tomorrow, for the coordinator's page."""
    today = timezone.localdate()
    episode = demo.episode("DUFOUR", "René")
    meeting = demo.step(
        timezone.now(),
        meetings.create_meeting,
        demo.coordinator,
        held_at=_day_at(today + timedelta(days=2), 14, 0),
        title="Concertation — situation de M. Dufour",
        place="DAC Scarpe-Escaut",
        episodes=[episode],
    )
    demo.step(
        timezone.now(),
        meetings.add_participant,
        demo.coordinator,
        meeting,
        user=demo.coordinator.user,
        role="Référente",
    )
    demo.step(
        timezone.now(),
        meetings.add_participant,
        demo.coordinator,
        meeting,
        professional=demo.pro("Hugo", "Lambert"),
        role="Médecin traitant",
    )
    demo.step(
        timezone.now(),
        followup.plan_home_visit,
        demo.coordinator,
        episode,
        planned_at=_day_at(today + timedelta(days=1), 9, 30),
        staff=demo.coordinator.user,
        purpose="Réévaluation de la situation après la nuit organisée en urgence",
    )
