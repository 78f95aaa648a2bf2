import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum import luhn

from appui.accounts.models import Membership, User
from appui.core.enums import Role
from appui.territory.enums import OrganisationKind, Profession
from appui.territory.models import Commune, Organisation, PracticePlace, Professional, Territory


def luhn_number(prefix: str, n: int, length: int) -> str:
    base = f"{prefix}{n:0{length - len(prefix) - 1}d}"
    return base + luhn.calc_check_digit(base)


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)

    insee_code = factory.Sequence(lambda n: f"{59000 + n % 900:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    postal_codes = "59000"
    department_code = "59"
    region_code = "32"
    latitude = 50.4
    longitude = 3.4


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = OrganisationKind.SSIAD
    commune = factory.SubFactory(CommuneFactory)

    class Params:
        dac = factory.Trait(kind=OrganisationKind.DAC, name=factory.Sequence(lambda n: f"DAC {n}"))


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Territoire {n}")
    dac = factory.SubFactory(OrganisationFactory, dac=True)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@appui.test")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Testeur{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "Mot-de-passe-solide-1")
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory, dac=True)
    role = Role.COORDINATOR


class ProfessionalFactory(DjangoModelFactory):
    class Meta:
        model = Professional

    first_name = "Claire"
    last_name = factory.Sequence(lambda n: f"Praticien{n}")
    profession = Profession.PHYSICIAN
    specialty = "Médecine générale"
    rpps = factory.Sequence(lambda n: luhn_number("1", n, 11))

    class Params:
        nurse = factory.Trait(profession=Profession.NURSE, specialty="")
        social_worker = factory.Trait(profession=Profession.SOCIAL_WORKER, specialty="", rpps="")


class PracticePlaceFactory(DjangoModelFactory):
    class Meta:
        model = PracticePlace

    professional = factory.SubFactory(ProfessionalFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    commune = factory.SubFactory(CommuneFactory)
    is_primary = True


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = "directory.Service"

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    sector = "medico_social"
    themes = factory.LazyFunction(lambda: ["aide-a-domicile"])
    zone_codes = factory.LazyFunction(list)
    commune = factory.LazyAttribute(lambda o: o.organisation.commune if o.organisation else None)

    class Params:
        meals = factory.Trait(name="Portage de repas à domicile", themes=["portage-repas"])
        alarm = factory.Trait(name="Téléassistance", themes=["teleassistance"])


class UnmetNeedFactory(DjangoModelFactory):
    class Meta:
        model = "directory.UnmetNeed"

    theme = "teleassistance"
    commune = factory.SubFactory(CommuneFactory)
    public = "seniors"
    dac = factory.SubFactory(OrganisationFactory, dac=True)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = "persons.Person"

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    birth_name = factory.Sequence(lambda n: f"Personne{n}")
    first_name = "Lucienne"
    first_names = factory.LazyAttribute(lambda o: o.first_name)
    sex = "F"
    birth_date = factory.Faker("date_of_birth", minimum_age=60, maximum_age=95)
    birthplace_code = "59350"


class CarerFactory(DjangoModelFactory):
    class Meta:
        model = "persons.Carer"

    person = factory.SubFactory(PersonFactory)
    first_name = "Sophie"
    last_name = factory.Sequence(lambda n: f"Proche{n}")
    relationship = "child"


class RequestReasonFactory(DjangoModelFactory):
    class Meta:
        model = "intake.RequestReason"
        django_get_or_create = ("dac", "label")

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    label = "Maintien à domicile difficile"


class SupportRequestFactory(DjangoModelFactory):
    class Meta:
        model = "intake.SupportRequest"

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    number = factory.Sequence(lambda n: f"2026-{n + 1:05d}")
    channel = "phone"
    requester_kind = "professional"
    requester_professional = factory.SubFactory(ProfessionalFactory)
    person = factory.SubFactory(PersonFactory, dac=factory.SelfAttribute("..dac"))
    description = "Situation à domicile qui se dégrade."


class ContactLogFactory(DjangoModelFactory):
    class Meta:
        model = "intake.ContactLog"

    request = factory.SubFactory(SupportRequestFactory)
    dac = factory.SelfAttribute("request.dac")
    person = factory.SelfAttribute("request.person")
    kind = "call_out"
    by = factory.SubFactory(UserFactory)
    with_whom = "Le demandeur"
    purpose = "Point sur la situation"


class CareEpisodeFactory(DjangoModelFactory):
    class Meta:
        model = "care.CareEpisode"

    person = factory.SubFactory(PersonFactory)
    dac = factory.SelfAttribute("person.dac")
    kind = "coordination"
    level = "short_term"


class IdentityCheckFactory(DjangoModelFactory):
    class Meta:
        model = "persons.IdentityCheck"

    person = factory.SubFactory(PersonFactory)
    status = "PROV"


class PersonMergeFactory(DjangoModelFactory):
    class Meta:
        model = "persons.PersonMerge"

    kept = factory.SubFactory(PersonFactory)
    merged = factory.SubFactory(PersonFactory, dac=factory.SelfAttribute("..kept.dac"))
    reason = "Même personne saisie deux fois."


class RequestResponseFactory(DjangoModelFactory):
    class Meta:
        model = "intake.RequestResponse"

    request = factory.SubFactory(SupportRequestFactory)
    response_type = "information"
    given_by = factory.SubFactory(UserFactory)
    summary = "Informations données au demandeur."

    class Params:
        referral = factory.Trait(
            response_type="referral_out",
            summary="Demande réorientée.",
            referral_organisation=factory.SubFactory(OrganisationFactory),
        )


class ComplexityScreeningFactory(DjangoModelFactory):
    class Meta:
        model = "intake.ComplexityScreening"

    request = factory.SubFactory(SupportRequestFactory)
    person = factory.SelfAttribute("request.person")
    criteria = factory.LazyFunction(lambda: ["isolation"])
    suggested_level = "risk"


class GpInformationFactory(DjangoModelFactory):
    class Meta:
        model = "intake.GpInformation"

    request = factory.SubFactory(SupportRequestFactory)
    gp = factory.SubFactory(ProfessionalFactory)
    body = "Docteur,\n\nLe DAC a reçu une demande d'appui concernant votre patient·e."


# --- Care: episodes, assessments, PPCS, meetings, follow-up, alerts ----------------------------


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = "care.Consent"

    episode = factory.SubFactory(CareEpisodeFactory)
    informed_by = factory.SubFactory(UserFactory)
    informed_how = "home_visit"
    informed_on = factory.LazyFunction(lambda: datetime.date.today())
    answer = "agrees"
    recorded_by = factory.SelfAttribute("informed_by")


class LevelChangeFactory(DjangoModelFactory):
    class Meta:
        model = "care.LevelChange"

    episode = factory.SubFactory(CareEpisodeFactory)
    level = factory.SelfAttribute("episode.level")


class AssessmentFormFactory(DjangoModelFactory):
    class Meta:
        model = "care.AssessmentForm"

    code = factory.Sequence(lambda n: f"grille-{n}")
    title = factory.Sequence(lambda n: f"Grille {n}")
    kind = "other"
    definition = factory.LazyFunction(
        lambda: {
            "domains": [
                {
                    "code": "health",
                    "label": "Santé",
                    "questions": [
                        {"code": "q1", "label": "Pathologies", "type": "text"},
                    ],
                }
            ]
        }
    )


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = "care.Assessment"

    episode = factory.SubFactory(CareEpisodeFactory)
    form = factory.SubFactory(AssessmentFormFactory)
    place = "home"
    author = factory.SubFactory(UserFactory)


class NeedFactory(DjangoModelFactory):
    class Meta:
        model = "care.Need"

    episode = factory.SubFactory(CareEpisodeFactory)
    domain = "health"
    description = factory.Sequence(lambda n: f"Besoin {n}")


class CarePlanFactory(DjangoModelFactory):
    class Meta:
        model = "care.CarePlan"

    episode = factory.SubFactory(CareEpisodeFactory)


class CarePlanVersionFactory(DjangoModelFactory):
    class Meta:
        model = "care.CarePlanVersion"

    plan = factory.SubFactory(CarePlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    situation = "Situation complexe au domicile."

    class Params:
        active = factory.Trait(status="active")


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = "care.Goal"

    plan_version = factory.SubFactory(CarePlanVersionFactory)
    title = factory.Sequence(lambda n: f"Objectif {n}")


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = "care.Action"

    plan_version = factory.SubFactory(CarePlanVersionFactory)
    goal = factory.SubFactory(GoalFactory, plan_version=factory.SelfAttribute("..plan_version"))
    kind = "care"
    description = factory.Sequence(lambda n: f"Action {n}")
    responsible_label = "Infirmière libérale"


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = "care.Meeting"

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    held_at = factory.LazyFunction(lambda: timezone.now())
    title = "Concertation"
    organised_by = factory.SubFactory(UserFactory)


class MeetingParticipantFactory(DjangoModelFactory):
    class Meta:
        model = "care.MeetingParticipant"

    meeting = factory.SubFactory(MeetingFactory)
    name = factory.Sequence(lambda n: f"Participant {n}")


class MeetingSituationFactory(DjangoModelFactory):
    class Meta:
        model = "care.MeetingSituation"

    meeting = factory.SubFactory(MeetingFactory)
    episode = factory.SubFactory(CareEpisodeFactory, dac=factory.SelfAttribute("..meeting.dac"))


class HomeVisitFactory(DjangoModelFactory):
    class Meta:
        model = "care.HomeVisit"

    episode = factory.SubFactory(CareEpisodeFactory)
    planned_at = factory.LazyFunction(lambda: timezone.now())
    staff = factory.SubFactory(UserFactory)
    purpose = "Visite de suivi"


class HospitalStayFactory(DjangoModelFactory):
    class Meta:
        model = "care.HospitalStay"

    episode = factory.SubFactory(CareEpisodeFactory)
    establishment_label = "Centre hospitalier"
    admitted_on = factory.LazyFunction(lambda: datetime.date.today())
    recorded_by = factory.SubFactory(UserFactory)


class DischargeTaskFactory(DjangoModelFactory):
    class Meta:
        model = "care.DischargeTask"

    stay = factory.SubFactory(HospitalStayFactory)
    description = "Infirmière à domicile prévenue"


class AdverseEventFactory(DjangoModelFactory):
    class Meta:
        model = "care.AdverseEvent"

    episode = factory.SubFactory(CareEpisodeFactory)
    kind = "unplanned_hospitalisation"
    occurred_on = factory.LazyFunction(lambda: datetime.date.today())
    description = "Réhospitalisation en urgence"
    recorded_by = factory.SubFactory(UserFactory)


class AlertFactory(DjangoModelFactory):
    class Meta:
        model = "care.Alert"

    episode = factory.SubFactory(CareEpisodeFactory)
    dac = factory.SelfAttribute("episode.dac")
    kind = "no_contact"
    key = factory.Sequence(lambda n: f"test:{n}")
    message = "Pas de contact depuis 30 jours"


# --- circle ---------------------------------------------------------------------------------


class CareCircleFactory(DjangoModelFactory):
    class Meta:
        model = "circle.CareCircle"
        django_get_or_create = ("person",)

    person = factory.SubFactory(PersonFactory)


class CareCircleMemberFactory(DjangoModelFactory):
    """A professional member by default; pass `user=`, `organisation=` or `carer=` (with `kind`)
    for the other kinds, `professional=None` then."""

    class Meta:
        model = "circle.CareCircleMember"

    circle = factory.SubFactory(CareCircleFactory)
    kind = "professional"
    professional = factory.SubFactory(ProfessionalFactory)
    role_label = "Intervenant·e"
    joined_how = "added"

    class Params:
        staff = factory.Trait(kind="staff", professional=None, user=factory.SubFactory(UserFactory))


class ObjectionFactory(DjangoModelFactory):
    class Meta:
        model = "circle.Objection"

    person = factory.SubFactory(PersonFactory)
    scope = "exclude"
    expressed_on = factory.LazyFunction(timezone.localdate)
    expressed_how = "oral"
    recorded_by = factory.SubFactory(UserFactory)


class EmergencyAccessFactory(DjangoModelFactory):
    class Meta:
        model = "circle.EmergencyAccess"

    person = factory.SubFactory(PersonFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("person.dac")
    role = "coordinator"
    justification = "Appel du SAMU, la personne est hospitalisée en urgence."
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=12))


class SharingDefaultFactory(DjangoModelFactory):
    class Meta:
        model = "circle.SharingDefault"

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    profile = "nurse"
    category = "social"
    allowed = True


class LiaisonNoteFactory(DjangoModelFactory):
    class Meta:
        model = "circle.LiaisonNote"

    person = factory.SubFactory(PersonFactory)
    author = factory.SubFactory(UserFactory)
    author_label = factory.LazyAttribute(lambda o: str(o.author))
    category = "medical"
    text = "Pansement refait, plaie propre."


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = "circle.Notification"

    user = factory.SubFactory(UserFactory)
    kind = "liaison_note"
    title = "Nouvelle note dans le cahier de liaison"
    url = "/"


# --- circle: liaison notebook and notifications -----------------------------------------------


class AttachmentFactory(DjangoModelFactory):
    """A small PDF attached to a note (stored in the private storage)."""

    class Meta:
        model = "circle.Attachment"

    note = factory.SubFactory(LiaisonNoteFactory)
    file = factory.django.FileField(filename="liaison/compte-rendu.pdf", data=b"%PDF-1.4\n%%EOF\n")
    original_name = "compte-rendu.pdf"
    content_type = "application/pdf"
    size = 15
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class LiaisonNoteReadFactory(DjangoModelFactory):
    class Meta:
        model = "circle.LiaisonNoteRead"

    note = factory.SubFactory(LiaisonNoteFactory)
    user = factory.SubFactory(UserFactory)


class NotificationPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = "circle.NotificationPreference"

    user = factory.SubFactory(UserFactory)
    email_kinds = factory.LazyFunction(lambda: ["mention"])


# --- Steering: CPOM, activity report, ledger, quality self-assessment -------------------------


class ContractFactory(DjangoModelFactory):
    """A five-year CPOM 2024-2028 of a DAC with its ARS."""

    class Meta:
        model = "reporting.Contract"

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    ars = factory.SubFactory(
        OrganisationFactory, kind=OrganisationKind.ARS, name="ARS Hauts-de-France"
    )
    title = factory.Sequence(lambda n: f"CPOM 2024-2028 n° {n}")
    reference = factory.Sequence(lambda n: f"CPOM-DAC-{n:03d}")
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2028, 12, 31)
    signed_on = datetime.date(2023, 12, 15)


class ContractObjectiveFactory(DjangoModelFactory):
    """A strategic objective; pass `parent` (and kind="operational") for an operational one."""

    class Meta:
        model = "reporting.ContractObjective"

    contract = factory.SubFactory(ContractFactory)
    kind = "strategic"
    code = factory.Sequence(lambda n: f"OS{n}")
    title = factory.Sequence(lambda n: f"Objectif {n}")
    position = factory.Sequence(lambda n: n)


class ContractIndicatorFactory(DjangoModelFactory):
    """A catalogue indicator (file active) under an operational objective."""

    class Meta:
        model = "reporting.ContractIndicator"

    objective = factory.SubFactory(
        ContractObjectiveFactory,
        kind="operational",
        parent=factory.SubFactory(ContractObjectiveFactory),
        contract=factory.SelfAttribute("parent.contract"),
    )
    indicator_code = "file_active"
    direction = "at_least"
    position = factory.Sequence(lambda n: n)


class ContractTargetFactory(DjangoModelFactory):
    class Meta:
        model = "reporting.ContractTarget"

    indicator = factory.SubFactory(ContractIndicatorFactory)
    year = 2025
    target = 100


class ActivityReportFactory(DjangoModelFactory):
    class Meta:
        model = "reporting.ActivityReport"

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    year = 2025
    commentary = factory.LazyFunction(dict)


class DacBudgetFactory(DjangoModelFactory):
    class Meta:
        model = "reporting.DacBudget"

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    year = 2025
    amount = 600000
    derogatory_amount = 20000


class DerogatoryServiceFactory(DjangoModelFactory):
    class Meta:
        model = "reporting.DerogatoryService"

    episode = factory.SubFactory(CareEpisodeFactory, opened_on=datetime.date(2024, 1, 1))
    person = factory.SelfAttribute("episode.person")
    dac = factory.SelfAttribute("episode.dac")
    kind = "psychologist"
    provider_label = "Cabinet de psychologie du Douaisis"
    provided_on = datetime.date(2025, 3, 10)
    sessions = 1
    amount = 60
    budget_line = "Prestations dérogatoires — psychologues"
    recorded_by = factory.SubFactory(UserFactory)


class QualityAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = "reporting.QualityAssessment"

    dac = factory.SubFactory(OrganisationFactory, dac=True)
    year = 2025


class QualityAnswerFactory(DjangoModelFactory):
    class Meta:
        model = "reporting.QualityAnswer"

    assessment = factory.SubFactory(QualityAssessmentFactory)
    item = "phone_line"
    answer = True
