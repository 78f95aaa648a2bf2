"""Demo territory of DAC Scarpe-Escaut (fictional): communes, partners, professionals, accounts.

Names, numbers and addresses are fictional; identifiers are generated with valid keys so that the
demo shows no false warning.
"""

import random
from pathlib import Path

from stdnum import luhn

from appui.accounts.models import Membership, User
from appui.core.enums import Role

from .enums import OrganisationKind as K
from .enums import Profession as P
from .importers import import_communes
from .models import Commune, Organisation, PracticePlace, Professional, Territory

DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "Appui-Demo-2026!"
DOMAIN = "dac-scarpe-escaut.test"
TERRITORY_EXCLUDED = {"59350", "59178", "59122", "59392"}


def rpps(n: int) -> str:
    base = f"1{n:09d}"
    return base + luhn.calc_check_digit(base)


def finess(n: int) -> str:
    base = f"59{n:06d}"
    return base + luhn.calc_check_digit(base)


def siret(n: int) -> str:
    siren = f"{n:08d}"
    siren += luhn.calc_check_digit(siren)
    base = siren + "0001"
    return base + luhn.calc_check_digit(base)


# name, kind, commune code, address, phone
ORGANISATIONS = [
    ("DAC Scarpe-Escaut", K.DAC, "59526", "12 rue du Bruille", "03 27 00 10 00"),
    ("Centre hospitalier de la Scarpe", K.HOSPITAL, "59526", "Route de Roubaix", "03 27 00 20 00"),
    ("Clinique des Tilleuls", K.CLINIC, "59606", "8 avenue de Liège", "03 27 00 21 00"),
    ("HAD Hainaut-Scarpe", K.HAD, "59491", "3 rue Jean-Jaurès", "03 27 00 22 00"),
    ("SSIAD de la Pévèle-Scarpe", K.SSIAD, "59375", "5 place Gambetta", "03 27 00 23 00"),
    ("SSIAD du Val d'Escaut", K.SSIAD, "59153", "21 rue de Valenciennes", "03 27 00 24 00"),
    ("Aide à domicile Scarpe-Escaut", K.SAAD, "59526", "40 rue d'Orchies", "03 27 00 25 00"),
    ("ADMR des Deux Rivières", K.SAAD, "59574", "2 rue Suzanne-Lanoy", "03 27 00 26 00"),
    ("Domicile Services Denain", K.SAAD, "59172", "17 rue de Villars", "03 27 00 27 00"),
    ("EHPAD Les Glycines", K.EHPAD, "59491", "1 allée des Glycines", "03 27 00 28 00"),
    ("EHPAD Résidence Saint-Joseph", K.EHPAD, "59574", "9 rue de l'Église", "03 27 00 29 00"),
    ("CLIC du Pays de Condé", K.CLIC, "59153", "6 rue Gambetta", "03 27 00 30 00"),
    ("MDPH du Nord", K.MDPH, "59350", "21 rue de la Toison d'Or", "03 59 00 31 00"),
    ("CCAS de Saint-Amand-les-Eaux", K.CCAS, "59526", "Hôtel de ville", "03 27 00 32 00"),
    ("CPTS Scarpe-Escaut", K.CPTS, "59526", "12 rue du Bruille", "03 27 00 33 00"),
    ("Maison de santé des Deux Rivières", K.MSP, "59375", "14 rue de Rieulay", "03 27 00 34 00"),
    ("Maison de santé du Denaisis", K.MSP, "59172", "30 rue Arthur-Brunet", "03 27 00 35 00"),
    ("Pharmacie de Rieulay", K.PHARMACY, "59501", "2 place de la Mairie", "03 27 00 36 00"),
    ("Pharmacie du Centre", K.PHARMACY, "59526", "15 Grand-Place", "03 27 00 37 00"),
    (
        "Conseil départemental du Nord",
        K.DEPARTMENT_COUNCIL,
        "59350",
        "51 rue Gustave-Delory",
        "03 59 00 38 00",
    ),
    ("Communauté 360 du Nord", K.COMMUNITY_360, "59350", "10 rue de Tournai", "0 800 360 360"),
    ("Collège Jean-Moulin", K.SCHOOL, "59574", "Rue du Collège", "03 27 00 39 00"),
    (
        "Équipe mobile de gériatrie de la Scarpe",
        K.MOBILE_TEAM,
        "59526",
        "Route de Roubaix",
        "03 27 00 20 50",
    ),
    ("ARS Hauts-de-France", K.ARS, "59350", "556 avenue Willy-Brandt", "03 62 72 77 00"),
]

# first name, last name, civility, title, profession, specialty, organisation, commune, role label
NAMED_PROFESSIONALS = [
    (
        "Claire",
        "Morel",
        "Mme",
        "Dr",
        P.PHYSICIAN,
        "Médecine générale",
        "Maison de santé des Deux Rivières",
        "59375",
        "",
    ),
    ("Hugo", "Lambert", "M.", "Dr", P.PHYSICIAN, "Médecine générale", None, "59526", ""),
    (
        "Julien",
        "Carpentier",
        "M.",
        "",
        P.PHARMACIST,
        "Pharmacie d'officine",
        "Pharmacie de Rieulay",
        "59501",
        "Pharmacien titulaire",
    ),
    (
        "Nadia",
        "Benkhaled",
        "Mme",
        "",
        P.SOCIAL_WORKER,
        "",
        "Centre hospitalier de la Scarpe",
        "59526",
        "Assistante sociale",
    ),
    (
        "Isabelle",
        "Dumont",
        "Mme",
        "",
        P.NURSE,
        "Infirmière scolaire",
        "Collège Jean-Moulin",
        "59574",
        "Infirmière scolaire",
    ),
    ("Sandrine", "Lefebvre", "Mme", "", P.NURSE, "", None, "59375", "Infirmière libérale"),
    (
        "Thomas",
        "Vasseur",
        "M.",
        "",
        P.PHYSIOTHERAPIST,
        "",
        "Maison de santé des Deux Rivières",
        "59375",
        "",
    ),
    (
        "Émilie",
        "Caron",
        "Mme",
        "",
        P.NURSE,
        "Coordination de SSIAD",
        "SSIAD de la Pévèle-Scarpe",
        "59375",
        "Infirmière coordinatrice",
    ),
    (
        "Karim",
        "Haddad",
        "M.",
        "",
        P.SOCIAL_WORKER,
        "Évaluation APA",
        "Conseil départemental du Nord",
        "59350",
        "Évaluateur APA",
    ),
    ("Pauline", "Leroy", "Mme", "", P.PSYCHOLOGIST, "Psychologie clinique", None, "59526", ""),
    ("Mathieu", "Delcourt", "M.", "", P.DIETITIAN, "", None, "59172", ""),
    (
        "Aurélie",
        "Wattiez",
        "Mme",
        "",
        P.OCCUPATIONAL_THERAPIST,
        "",
        "Équipe mobile de gériatrie de la Scarpe",
        "59526",
        "",
    ),
    (
        "Bernard",
        "Dupuis",
        "M.",
        "Dr",
        P.PHYSICIAN,
        "Pneumologie",
        "Centre hospitalier de la Scarpe",
        "59526",
        "Praticien hospitalier",
    ),
    (
        "Sophie",
        "Hennebelle",
        "Mme",
        "Dr",
        P.PHYSICIAN,
        "Gériatrie",
        "Équipe mobile de gériatrie de la Scarpe",
        "59526",
        "Médecin gériatre",
    ),
]

FIRST_NAMES = [
    "Anne",
    "Luc",
    "Marie",
    "Pierre",
    "Hélène",
    "François",
    "Céline",
    "Olivier",
    "Nathalie",
    "Vincent",
    "Delphine",
    "Stéphane",
    "Caroline",
    "Jérôme",
    "Virginie",
    "Guillaume",
    "Élodie",
    "Laurent",
    "Sabrina",
    "Benoît",
    "Aline",
    "Rachid",
    "Fanny",
    "Yannick",
]
LAST_NAMES = [
    "Dubrulle",
    "Vandenbussche",
    "Lemaire",
    "Desmet",
    "Delannoy",
    "Lecomte",
    "Dhaussy",
    "Wallet",
    "Bouchez",
    "Masclet",
    "Fievet",
    "Lenglet",
    "Deregnaucourt",
    "Cuvelier",
    "Leclercq",
    "Duhamel",
    "Tison",
    "Bultez",
    "Boulanger",
    "Moreau",
    "Ramez",
    "Fontaine",
    "Garin",
    "Plouvier",
    "Delvallez",
    "Caudron",
    "Hennebert",
    "Sauvage",
]

ACCOUNTS = [
    # e-mail local part, first, last, [(organisation, role)]
    ("accueil", "Léa", "Fournier", [("DAC Scarpe-Escaut", Role.ASSISTANT)]),
    ("coordination", "Camille", "Dubois", [("DAC Scarpe-Escaut", Role.COORDINATOR)]),
    ("gestion-de-cas", "Julie", "Mercier", [("DAC Scarpe-Escaut", Role.CASE_MANAGER)]),
    ("medecin", "Paul", "Renard", [("DAC Scarpe-Escaut", Role.SUPPORT_PHYSICIAN)]),
    (
        "direction",
        "Nathalie",
        "Girard",
        [("DAC Scarpe-Escaut", Role.DIRECTOR), ("DAC Scarpe-Escaut", Role.COORDINATOR)],
    ),
    ("dr.morel", "Claire", "Morel", [("Maison de santé des Deux Rivières", Role.PARTNER)]),
    (
        "marc.delattre@ars-hdf.test",
        "Marc",
        "Delattre",
        [("ARS Hauts-de-France", Role.REGIONAL_PILOT)],
    ),
    ("admin", "Alex", "Technique", [("DAC Scarpe-Escaut", Role.ADMIN)]),
]


def seed(stdout):
    report = import_communes(
        (DATA / "demo_cog_communes.csv").read_bytes(), (DATA / "demo_communes_geo.csv").read_bytes()
    )
    stdout.write(f"Communes : {report.summary()}")
    communes = {c.insee_code: c for c in Commune.objects.all()}

    organisations = {}
    for index, (name, kind, code, address, phone) in enumerate(ORGANISATIONS, start=1):
        commune = communes[code]
        defaults = {
            "kind": kind,
            "commune": commune,
            "postal_code": commune.postal_code_list[0],
            "address": address,
            "phone": phone,
            "siret": siret(10_000_000 + index * 7919),
            "email": f"contact@{slug(name)}.test",
        }
        if kind in {
            K.HOSPITAL,
            K.CLINIC,
            K.HAD,
            K.SSIAD,
            K.SAAD,
            K.EHPAD,
            K.PHARMACY,
            K.MSP,
            K.MDPH,
        }:
            defaults["finess_et"] = finess(100_000 + index * 37)
            defaults["finess_ej"] = finess(500_000 + index * 41)
        if kind in {K.HOSPITAL, K.HAD, K.SSIAD, K.MSP, K.DAC}:
            defaults["mssante_address"] = f"secretariat@{slug(name)}.mssante.test"
        organisation, _ = Organisation.objects.update_or_create(name=name, defaults=defaults)
        organisations[name] = organisation

    territory, _ = Territory.objects.update_or_create(
        dac=organisations["DAC Scarpe-Escaut"], defaults={"name": "Scarpe-Escaut"}
    )
    territory.communes.set([c for code, c in communes.items() if code not in TERRITORY_EXCLUDED])

    rng = random.Random(2026)
    professionals = {}
    for index, row in enumerate(NAMED_PROFESSIONALS, start=1):
        first, last, civility, title, profession, specialty, org_name, code, role_label = row
        professionals[(first, last)] = upsert_professional(
            index,
            first,
            last,
            civility,
            title,
            profession,
            specialty,
            organisations.get(org_name),
            communes[code],
            role_label,
        )
    territory_codes = sorted(code for code in communes if code not in TERRITORY_EXCLUDED)
    generated = [
        (P.PHYSICIAN, "Médecine générale", 28),
        (P.NURSE, "", 14),
        (P.PHARMACIST, "", 8),
        (P.PHYSIOTHERAPIST, "", 6),
    ]
    index = 100
    for profession, specialty, count in generated:
        for _ in range(count):
            index += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            civility = (
                "Mme"
                if first
                in {
                    "Anne",
                    "Marie",
                    "Hélène",
                    "Céline",
                    "Nathalie",
                    "Delphine",
                    "Caroline",
                    "Virginie",
                    "Élodie",
                    "Sabrina",
                    "Aline",
                    "Fanny",
                }
                else "M."
            )
            title = "Dr" if profession == P.PHYSICIAN else ""
            upsert_professional(
                index,
                first,
                last,
                civility,
                title,
                profession,
                specialty,
                None,
                communes[rng.choice(territory_codes)],
                "",
            )
    stdout.write(
        f"Structures : {len(organisations)} ; professionnels : {Professional.objects.count()}"
    )

    accounts = []
    for local, first, last, memberships in ACCOUNTS:
        email = local if "@" in local else f"{local}@{DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, first_name=first, last_name=last)
        user.set_password(DEMO_PASSWORD)
        user.is_staff = local == "admin"
        user.is_superuser = local == "admin"
        user.save()
        for org_name, role in memberships:
            Membership.objects.get_or_create(
                user=user, organisation=organisations[org_name], role=role, is_active=True
            )
        labels = " + ".join(Role(role).label for _, role in memberships)
        accounts.append(
            {"email": email, "password": DEMO_PASSWORD, "label": f"{first} {last} — {labels}"}
        )
    morel = professionals[("Claire", "Morel")]
    if morel.user_id is None:
        morel.user = User.objects.get(email=f"dr.morel@{DOMAIN}")
        morel.save()
    return accounts


def upsert_professional(
    index, first, last, civility, title, profession, specialty, organisation, commune, role_label
):
    number = rpps(index) if profession not in {P.SOCIAL_WORKER} else ""
    lookup = (
        {"rpps": number}
        if number
        else {"first_name": first, "last_name": last, "profession": profession}
    )
    defaults = {
        "first_name": first,
        "last_name": last,
        "civility": civility,
        "title": title,
        "profession": profession,
        "specialty": specialty,
        "phone": f"03 27 {10 + index % 80:02d} {index % 100:02d} {(index * 7) % 100:02d}",
        "email": f"{slug(first)}.{slug(last)}{index}@sante.test",
    }
    professional = Professional.objects.filter(**lookup).first()
    if professional is None:
        professional = Professional(**lookup)
    for key, value in defaults.items():
        setattr(professional, key, value)
    professional.save()
    PracticePlace.objects.get_or_create(
        professional=professional,
        organisation=organisation,
        defaults={
            "commune": commune,
            "role_label": role_label,
            "is_primary": True,
            "address": "" if organisation else f"{index} rue de la République",
        },
    )
    return professional


def slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return (
        "".join(ch if ch.isalnum() else "-" for ch in ascii_text.lower())
        .strip("-")
        .replace("--", "-")
    )
