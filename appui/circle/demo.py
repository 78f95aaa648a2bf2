"""Demo care circle of M. Benali (SCENARIOS S5): Dr Morel his GP, the liberal nurse, the
physiotherapist, the SSIAD (the structure and its nurse coordinator), the conseil départemental's
APA evaluator and his wife. The nurse, the physiotherapist and the APA evaluator have partner
accounts. M. Benali objected, at a home visit, to sharing with the physiotherapist anything beyond
the exercise plan he carries in the PPCS.

Like the other demos, every step goes through the services the pages use, at the date it
happened, as the coordinator who did it.
"""

from datetime import timedelta

from django.utils import timezone

from appui.accounts.models import Membership, User
from appui.accounts.services import create_partner_account
from appui.care.demo import _day_at
from appui.care.models import CareEpisode, CarePlanVersion
from appui.intake.demo import Demo
from appui.persons.models import Carer
from appui.territory.demo import DEMO_PASSWORD, DOMAIN
from appui.territory.enums import OrganisationKind
from appui.territory.models import Organisation, PracticePlace, Professional

from . import notebook, services
from .enums import JoinedHow, MemberKind
from .models import CareCircleMember

# e-mail local part, first name, last name, structure (None: the nurse's own practice), label
PARTNERS = [
    ("sandrine.lefebvre", "Sandrine", "Lefebvre", None, "infirmière libérale"),
    (
        "thomas.vasseur",
        "Thomas",
        "Vasseur",
        "Maison de santé des Deux Rivières",
        "masseur-kinésithérapeute",
    ),
    (
        "karim.haddad",
        "Karim",
        "Haddad",
        "Conseil départemental du Nord",
        "évaluateur APA (assistant de service social)",
    ),
]

NURSE_PRACTICE = "Cabinet infirmier de la Scarpe"


def _nurse_practice(professional) -> Organisation:
    """The liberal nurse practises in her own cabinet: the structure her account belongs to."""
    place = professional.practice_places.filter(organisation__isnull=True).first()
    commune = place.commune if place else None
    organisation, _ = Organisation.objects.get_or_create(
        name=NURSE_PRACTICE,
        defaults={
            "kind": OrganisationKind.PRACTICE,
            "commune": commune,
            "postal_code": commune.postal_code_list[0] if commune else "",
            "address": "8 rue de la Scarpe",
            "phone": "03 27 00 41 00",
        },
    )
    PracticePlace.objects.get_or_create(
        professional=professional,
        organisation=organisation,
        defaults={"commune": commune, "role_label": "Infirmière libérale", "is_primary": False},
    )
    return organisation


def _accounts() -> list[dict]:
    accounts = []
    for local, first, last, org_name, label in PARTNERS:
        professional = Professional.objects.get(first_name=first, last_name=last)
        email = f"{local}@{DOMAIN}"
        organisation = (
            Organisation.objects.get(name=org_name) if org_name else _nurse_practice(professional)
        )
        if professional.user_id is None and not User.objects.filter(email=email).exists():
            create_partner_account(
                email=email,
                first_name=first,
                last_name=last,
                password=DEMO_PASSWORD,
                professional=professional,
                organisation=organisation,
            )
        accounts.append(
            {
                "email": email,
                "password": DEMO_PASSWORD,
                "label": f"{first} {last} — {label}, professionnel·le partenaire",
            }
        )
    return accounts


def seed(stdout):
    dac = Organisation.objects.get(name="DAC Scarpe-Escaut")
    accounts = _accounts()
    episode = (
        CareEpisode.objects.filter(dac=dac, person__birth_name="BENALI", person__first_name="Ahmed")
        .select_related("person")
        .first()
    )
    if episode is None:
        stdout.write("Cercle de soins : pas d'accompagnement de M. Benali (rien à créer)")
        return accounts
    person = episode.person
    if CareCircleMember.objects.filter(circle__person=person).exists():
        stdout.write("Cercle de soins de M. Benali : déjà créé")
        return accounts

    demo = Demo(dac)
    coordinator = demo.member("coordinator")
    # The partners join once the PPCS is agreed; M. Benali speaks at the next home visit.
    agreed = (
        CarePlanVersion.objects.filter(plan__episode=episode, person_agreed_on__isnull=False)
        .order_by("-person_agreed_on")
        .values_list("person_agreed_on", flat=True)
        .first()
    )
    today = timezone.localdate()
    joined = min(agreed or episode.opened_on, today)

    def as_coordinator(day, function, *args, **kwargs):
        return demo.step(
            _day_at(day, 11, 0),
            lambda membership: function(*args, actor=membership, **kwargs),
            coordinator,
        )

    def pro(first, last):
        return Professional.objects.get(first_name=first, last_name=last)

    members = {}
    for key, kind, target, role_label in [
        (
            "nurse",
            MemberKind.PROFESSIONAL,
            pro("Sandrine", "Lefebvre"),
            "Infirmière libérale, passage quotidien",
        ),
        (
            "physio",
            MemberKind.PROFESSIONAL,
            pro("Thomas", "Vasseur"),
            "Kinésithérapeute, plan d'exercices",
        ),
        (
            "ssiad",
            MemberKind.ORGANISATION,
            Organisation.objects.get(name="SSIAD de la Pévèle-Scarpe"),
            "Toilette et soins d'hygiène",
        ),
        (
            "ssiad_nurse",
            MemberKind.PROFESSIONAL,
            pro("Émilie", "Caron"),
            "Infirmière coordinatrice du SSIAD",
        ),
        (
            "apa",
            MemberKind.PROFESSIONAL,
            pro("Karim", "Haddad"),
            "Évaluateur APA du conseil départemental",
        ),
        (
            "wife",
            MemberKind.CARER,
            Carer.objects.get(person=person, first_name="Fatima"),
            "Épouse, aidante principale",
        ),
    ]:
        field = {
            MemberKind.PROFESSIONAL: "professional",
            MemberKind.ORGANISATION: "organisation",
            MemberKind.CARER: "carer",
        }[kind]
        members[key] = as_coordinator(
            joined,
            services.add_member,
            person,
            kind=kind,
            role_label=role_label,
            joined_how=JoinedHow.ADDED,
            start_date=joined,
            **{field: target},
        )
    expressed = min(joined + timedelta(days=3), today)
    as_coordinator(
        expressed,
        services.record_objection,
        person,
        target=members["physio"],
        scope="restrict",
        categories=["plan"],
        own_actions_only=True,
        expressed_on=expressed,
        expressed_how="visit",
        note="M. Benali l'a dit oralement lors de la visite à domicile : le kinésithérapeute "
        "n'a besoin que du plan d'exercices.",
    )
    # The nurse writes in the liaison notebook; Dr Morel, the GP, gets the notification.
    nurse = Membership.objects.get(user__email=f"sandrine.lefebvre@{DOMAIN}", is_active=True)
    noted = min(expressed + timedelta(days=2), today)
    demo.step(
        _day_at(noted, 18, 30),
        lambda membership: notebook.write_note(
            person,
            membership,
            category="medical",
            text="Œdèmes des chevilles en augmentation depuis trois jours (+2 kg sur la "
            "semaine). Essoufflement à la toilette. Pouvez-vous le voir cette semaine ?",
        ),
        nurse,
    )
    stdout.write(
        f"Cercle de soins de M. Benali : {len(members)} membres ajoutés, une opposition "
        "(kinésithérapeute limité au plan d'exercices), une note de l'infirmière au cahier de "
        "liaison"
    )
    return accounts
