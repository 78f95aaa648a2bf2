"""Demo persons of DAC Scarpe-Escaut: the people of the user journeys (S1–S8) and others.

Fictional names, dates and numbers. A NIR is given only where the journey needs a qualified
identity; it is built with a valid key. One pair of near-identical records shows the duplicate
detection at work.
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from appui.territory.models import Commune, Organisation, Professional

from .enums import GpStatus, IdentityEvidence, IdentityStatus, LegalMeasure, Relationship
from .models import Carer, IdentityCheck, Person


def nir(first13: str) -> str:
    return first13 + f"{97 - int(first13) % 97:02d}"


# key, birth name, used name, first names, sex, birth date, birthplace, commune, address, GP
# (first, last) or None, lives alone, identity status, NIR first 13 digits
JOURNEY_PERSONS = [
    (
        "martin",
        "MARTIN",
        "",
        "Lucienne Germaine",
        "F",
        date(1942, 3, 14),
        "59501",
        "59501",
        "4 rue des Écoles",
        None,
        True,
        IdentityStatus.PROVISIONAL,
        "",
    ),
    (
        "benali",
        "BENALI",
        "",
        "Ahmed",
        "M",
        date(1954, 6, 2),
        "99352",
        "59526",
        "27 rue de la Scarpe",
        ("Claire", "Morel"),
        False,
        IdentityStatus.QUALIFIED,
        "1540699352045",
    ),
    (
        "dufour",
        "DUFOUR",
        "",
        "René Paul",
        "M",
        date(1948, 11, 23),
        "59526",
        "59526",
        "8 allée des Tilleuls",
        ("Hugo", "Lambert"),
        False,
        IdentityStatus.VALIDATED,
        "",
    ),
    (
        "roux",
        "GARIN",
        "ROUX",
        "Jeanne Marie",
        "F",
        date(1947, 2, 9),
        "59375",
        "59375",
        "3 rue du Marais",
        ("Hugo", "Lambert"),
        True,
        IdentityStatus.PROVISIONAL,
        "",
    ),
    (
        "lenoir",
        "LENOIR",
        "",
        "Odette",
        "F",
        date(1938, 8, 30),
        "59501",
        "59501",
        "11 rue Jules-Ferry",
        None,
        True,
        IdentityStatus.VALIDATED,
        "",
    ),
    (
        "fontaine",
        "FONTAINE",
        "",
        "Marcel André",
        "M",
        date(1945, 1, 17),
        "59574",
        "59574",
        "5 rue Pasteur",
        ("Claire", "Morel"),
        False,
        IdentityStatus.QUALIFIED,
        "1450159574112",
    ),
    (
        "petit",
        "PETIT",
        "",
        "Lucas Théo",
        "M",
        date(2010, 5, 12),
        "59574",
        "59574",
        "19 cité des Mineurs",
        None,
        False,
        IdentityStatus.PROVISIONAL,
        "",
    ),
    # Two records of the same woman, entered twice (hyphen and accent differ, day/month swapped).
    (
        "lefevre-1",
        "LEFÈVRE",
        "",
        "Marie-Claire",
        "F",
        date(1950, 4, 7),
        "59526",
        "59526",
        "2 rue d'Orchies",
        None,
        True,
        IdentityStatus.PROVISIONAL,
        "",
    ),
    (
        "lefevre-2",
        "LEFEVRE",
        "",
        "Marie Claire",
        "F",
        date(1950, 7, 4),
        "59526",
        "59526",
        "2 rue d'Orchies",
        None,
        True,
        IdentityStatus.PROVISIONAL,
        "",
    ),
]

# person key, first name, last name, relationship, main carer, legal representative, measure,
# lives with the person, phone
CARERS = [
    ("benali", "Fatima", "BENALI", Relationship.SPOUSE, True, False, "", True, "06 12 34 56 01"),
    ("dufour", "Monique", "DUFOUR", Relationship.SPOUSE, True, False, "", True, "06 12 34 56 02"),
    ("roux", "Sophie", "ROUX", Relationship.CHILD, True, False, "", False, "06 12 34 56 03"),
    (
        "petit",
        "Céline",
        "PETIT",
        Relationship.PARENT,
        True,
        True,
        LegalMeasure.PARENTAL_AUTHORITY,
        True,
        "06 12 34 56 04",
    ),
    (
        "fontaine",
        "Gérard",
        "FONTAINE",
        Relationship.CHILD,
        True,
        False,
        "",
        False,
        "06 12 34 56 05",
    ),
]

OTHER_FIRST_NAMES_F = [
    "Simone",
    "Yvette",
    "Colette",
    "Josiane",
    "Monique",
    "Denise",
    "Paulette",
    "Ginette",
    "Huguette",
    "Micheline",
    "Christiane",
    "Jacqueline",
]
OTHER_FIRST_NAMES_M = [
    "Roger",
    "André",
    "Marcel",
    "Gilbert",
    "Raymond",
    "Jean-Pierre",
    "Michel",
    "Bernard",
    "Daniel",
    "Claude",
    "Gérard",
    "Serge",
]
OTHER_LAST_NAMES = [
    "DELATTRE",
    "VASSEUR",
    "LECLERCQ",
    "DUBOIS",
    "CARLIER",
    "DELHAYE",
    "HOCHART",
    "POTIER",
    "LEMOINE",
    "DESCAMPS",
    "BRUNEAU",
    "WILLAME",
    "DEGAND",
    "PRUVOST",
    "LOUCHART",
    "MAHIEU",
    "SOUFFLET",
    "COPIN",
    "DUEZ",
    "BAUDUIN",
]


def seed(stdout):
    dac = Organisation.objects.get(name="DAC Scarpe-Escaut")
    communes = {c.insee_code: c for c in Commune.objects.all()}
    now = timezone.now()
    persons = {}
    for row in JOURNEY_PERSONS:
        (
            key,
            birth_name,
            used_name,
            first_names,
            sex,
            birth_date,
            birthplace,
            commune_code,
            address,
            gp,
            lives_alone,
            status,
            nir13,
        ) = row
        gp_record = (
            Professional.objects.filter(first_name=gp[0], last_name=gp[1]).first() if gp else None
        )
        person, created = Person.objects.update_or_create(
            dac=dac,
            birth_name=birth_name,
            first_name=first_names.split()[0],
            birth_date=birth_date,
            defaults={
                "used_name": used_name,
                "first_names": first_names,
                "sex": sex,
                "birthplace_code": birthplace,
                "birthplace_label": "Algérie" if birthplace == "99352" else "",
                "commune": communes[commune_code],
                "postal_code": communes[commune_code].postal_code_list[0],
                "address": address,
                "gp": gp_record,
                "gp_status": GpStatus.KNOWN if gp_record else GpStatus.UNKNOWN,
                "lives_alone": lives_alone,
                "identity_status": status,
                "nir": nir(nir13) if nir13 else "",
                "nir_kind": "NIR" if nir13 else "",
                "identity_changed_at": now - timedelta(days=30),
            },
        )
        if created and status != IdentityStatus.PROVISIONAL:
            IdentityCheck.objects.create(
                person=person,
                status=status,
                previous_status=IdentityStatus.PROVISIONAL,
                evidence=IdentityEvidence.ID_CARD,
                insi_queried_on=(now - timedelta(days=30)).date()
                if status == IdentityStatus.QUALIFIED
                else None,
                comment="Pièce d'identité présentée lors de la visite à domicile.",
                at=now - timedelta(days=30),
            )
        persons[key] = person

    for key, first, last, relationship, main, legal, measure, lives_with, phone in CARERS:
        Carer.objects.update_or_create(
            person=persons[key],
            first_name=first,
            last_name=last,
            defaults={
                "relationship": relationship,
                "is_main_carer": main,
                "is_legal_representative": legal,
                "legal_measure": measure,
                "lives_with_person": lives_with,
                "phone": phone,
            },
        )

    # Other persons of the DAC, so that lists and searches look like a real caseload.
    rng = random.Random(4242)
    territory_codes = list(dac.territory.communes.values_list("insee_code", flat=True))
    physicians = list(Professional.objects.filter(profession="physician", title="Dr")[:30])
    for index in range(60):
        sex = "F" if index % 5 < 3 else "M"
        first = rng.choice(OTHER_FIRST_NAMES_F if sex == "F" else OTHER_FIRST_NAMES_M)
        last = rng.choice(OTHER_LAST_NAMES)
        born = date(1930 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28))
        code = rng.choice(territory_codes)
        gp = rng.choice(physicians) if physicians and index % 4 else None
        person, _ = Person.objects.update_or_create(
            dac=dac,
            birth_name=last,
            first_name=first,
            birth_date=born,
            defaults={
                "first_names": first,
                "sex": sex,
                "birthplace_code": code,
                "commune": communes[code],
                "postal_code": communes[code].postal_code_list[0],
                "address": f"{rng.randint(1, 120)} rue {rng.choice(['de la Gare', 'Victor-Hugo', 'du Moulin', 'Jean-Jaurès', 'des Fusillés'])}",
                "gp": gp,
                "gp_status": GpStatus.KNOWN if gp else GpStatus.UNKNOWN,
                "lives_alone": bool(index % 3),
            },
        )
        persons[f"other-{index}"] = person
    stdout.write(f"Personnes : {Person.objects.filter(dac=dac).count()}")
    return []
