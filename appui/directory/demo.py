"""Demo directory of DAC Scarpe-Escaut: ~150 services of the partners, associations and
professionals of the territory, with the gaps that journey S1 meets (no personal alarm provider
covers Rieulay) and a year of unmet needs. Idempotent and deterministic (fictional data)."""

import random
from datetime import timedelta

from django.utils import timezone

from appui.accounts.models import User
from appui.territory.demo import slug
from appui.territory.enums import SECTOR_BY_KIND, Sector
from appui.territory.enums import OrganisationKind as K
from appui.territory.enums import Profession as P
from appui.territory.models import Commune, Organisation, Professional

from .models import Service, UnmetNeed

# Communes (Insee codes) of the three areas of the territory.
PEVELE = [
    "59375",
    "59501",
    "59630",
    "59635",
    "59574",
    "59227",
    "59111",
    "59456",
    "59328",
    "59234",
    "59314",
    "59209",
    "59641",
    "59596",
    "59096",
]
SCARPE = ["59526", "59491", "59632", "59285", "59402", "59109", "59512", "59336", "59211", "59079"]
ESCAUT = [
    "59459",
    "59027",
    "59288",
    "59301",
    "59606",
    "59014",
    "59110",
    "59153",
    "59616",
    "59253",
    "59447",
    "59172",
    "59207",
    "59002",
    "59603",
]
ALL = PEVELE + SCARPE + ESCAUT
WITHOUT_RIEULAY = [c for c in ALL if c != "59501"]

# Extra structures of the territory (associations, health centres…) that carry services.
EXTRA_ORGANISATIONS = [
    ("Les Repas de la Pévèle", K.ASSOCIATION, "59375", "4 rue Jean-Moulin", "03 27 00 40 01"),
    (
        "Présence Solidaire Téléassistance",
        K.ASSOCIATION,
        "59606",
        "12 boulevard Watteau",
        "03 27 00 40 02",
    ),
    (
        "Plateforme de répit des aidants du Hainaut",
        K.ASSOCIATION,
        "59606",
        "6 rue Paul-Doumer",
        "03 27 00 40 03",
    ),
    (
        "Association tutélaire du Nord",
        K.ASSOCIATION,
        "59606",
        "20 avenue de Liège",
        "03 27 00 40 04",
    ),
    (
        "Équipe mobile de soins palliatifs du Valenciennois",
        K.MOBILE_TEAM,
        "59606",
        "Avenue Désandrouin",
        "03 27 00 40 05",
    ),
    (
        "Centre médico-psychologique de Saint-Amand",
        K.OTHER,
        "59526",
        "3 rue Thiers",
        "03 27 00 40 06",
    ),
    ("CSAPA Escaut", K.OTHER, "59172", "9 rue de Lourches", "03 27 00 40 07"),
    ("Transport Solidaire Scarpe", K.ASSOCIATION, "59526", "1 place du 8-Mai", "03 27 00 40 08"),
    ("Soliha Nord", K.ASSOCIATION, "59350", "10 rue de Roubaix", "03 20 00 40 09"),
    ("Épicerie sociale du Denaisis", K.ASSOCIATION, "59172", "15 rue de Villars", "03 27 00 40 10"),
    ("Accueil de jour Les Hortensias", K.OTHER, "59574", "7 rue des Hortensias", "03 27 00 40 11"),
    ("Diététique et santé Valenciennes", K.PRACTICE, "59606", "2 rue de Famars", "03 27 00 40 12"),
    (
        "Cabinet de psychologie du Hainaut",
        K.PRACTICE,
        "59014",
        "18 rue Jean-Jaurès",
        "03 27 00 40 13",
    ),
    (
        "Centre communal d'action sociale de Denain",
        K.CCAS,
        "59172",
        "Place Baudin",
        "03 27 00 40 14",
    ),
]

# organisation, service name, themes, publics, zone, extra fields
ORGANISATION_SERVICES = [
    (
        "DAC Scarpe-Escaut",
        "Appui à la coordination des parcours complexes",
        ["information-coordination"],
        [],
        ALL,
        {
            "mobilised_by": ["professionnels", "usagers"],
            "fees": "gratuit",
            "description": "Le DAC aide les professionnels, d'abord le médecin traitant, à organiser le parcours des personnes en situation complexe : information, orientation, évaluation, plan personnalisé de coordination.",
        },
    ),
    (
        "Centre hospitalier de la Scarpe",
        "Consultations de pneumologie",
        ["hospitalisation"],
        [],
        ["59"],
        {"access_conditions": ["prescription-medicale", "sur-rendez-vous"], "waiting_days": 35},
    ),
    (
        "Centre hospitalier de la Scarpe",
        "Service social hospitalier",
        ["service-social"],
        [],
        ALL,
        {
            "description": "Accompagne les patients hospitalisés et leurs proches : accès aux droits, préparation de la sortie, aides à domicile."
        },
    ),
    (
        "Centre hospitalier de la Scarpe",
        "Consultation mémoire",
        ["consultation-memoire"],
        ["seniors"],
        ["59"],
        {
            "access_conditions": ["prescription-medicale"],
            "waiting_days": 90,
            "description": "Diagnostic des troubles cognitifs (maladie d'Alzheimer et apparentées), suivi et conseils aux aidants.",
        },
    ),
    (
        "Centre hospitalier de la Scarpe",
        "Soins médicaux et de réadaptation gériatriques",
        ["soins-de-suite"],
        ["seniors"],
        ["59"],
        {"access_conditions": ["prescription-medicale"]},
    ),
    (
        "Centre hospitalier de la Scarpe",
        "Hôpital de jour gériatrique",
        ["hospitalisation", "equipe-mobile-geriatrie"],
        ["seniors"],
        ALL,
        {"access_conditions": ["prescription-medicale"]},
    ),
    (
        "Clinique des Tilleuls",
        "Consultations de cardiologie",
        ["hospitalisation"],
        [],
        ["59"],
        {"access_conditions": ["sur-rendez-vous"], "waiting_days": 45},
    ),
    (
        "Clinique des Tilleuls",
        "Soins de suite et réadaptation cardiaque",
        ["soins-de-suite"],
        [],
        ["59"],
        {"access_conditions": ["prescription-medicale"]},
    ),
    (
        "HAD Hainaut-Scarpe",
        "Hospitalisation à domicile",
        ["had"],
        [],
        ALL,
        {
            "access_conditions": ["prescription-medicale"],
            "opening_hours": "Astreinte 24 h/24, 7 j/7",
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "SSIAD de la Pévèle-Scarpe",
        "Soins infirmiers à domicile (SSIAD)",
        ["ssiad"],
        ["seniors", "personnes-en-situation-de-handicap"],
        PEVELE,
        {
            "access_conditions": ["prescription-medicale"],
            "reception_modes": ["a-domicile"],
            "accepting": False,
            "availability_note": "Liste d'attente : environ trois semaines.",
        },
    ),
    (
        "SSIAD du Val d'Escaut",
        "Soins infirmiers à domicile (SSIAD)",
        ["ssiad"],
        ["seniors", "personnes-en-situation-de-handicap"],
        ESCAUT,
        {"access_conditions": ["prescription-medicale"], "reception_modes": ["a-domicile"]},
    ),
    (
        "SSIAD du Val d'Escaut",
        "Équipe spécialisée Alzheimer à domicile",
        ["ssiad", "consultation-memoire"],
        ["seniors"],
        ESCAUT + SCARPE,
        {"access_conditions": ["prescription-medicale"], "reception_modes": ["a-domicile"]},
    ),
    (
        "Aide à domicile Scarpe-Escaut",
        "Aide et accompagnement à domicile",
        ["aide-a-domicile"],
        ["seniors", "personnes-en-situation-de-handicap"],
        SCARPE + ESCAUT,
        {
            "fees": "payant",
            "fees_details": "Tarif horaire selon plan d'aide APA ou PCH.",
            "access_conditions": ["plan-apa"],
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "Aide à domicile Scarpe-Escaut",
        "Portage de repas à domicile",
        ["portage-repas"],
        ["seniors"],
        SCARPE,
        {
            "fees": "payant",
            "fees_details": "9,50 € le repas, aide possible du CCAS.",
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "ADMR des Deux Rivières",
        "Aide et accompagnement à domicile",
        ["aide-a-domicile"],
        ["seniors", "familles"],
        PEVELE,
        {"fees": "payant", "reception_modes": ["a-domicile"]},
    ),
    (
        "ADMR des Deux Rivières",
        "Portage de repas à domicile",
        ["portage-repas"],
        ["seniors", "personnes-en-situation-de-handicap"],
        PEVELE,
        {
            "fees": "payant",
            "fees_details": "Repas livrés en liaison froide, du lundi au samedi.",
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "ADMR des Deux Rivières",
        "Garde de nuit itinérante",
        ["aide-a-domicile"],
        ["seniors"],
        PEVELE,
        {
            "fees": "payant",
            "opening_hours": "Passages de 20 h à 7 h",
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "Domicile Services Denain",
        "Aide et accompagnement à domicile",
        ["aide-a-domicile"],
        ["seniors"],
        ESCAUT,
        {"fees": "payant", "reception_modes": ["a-domicile"]},
    ),
    (
        "Domicile Services Denain",
        "Téléassistance",
        ["teleassistance"],
        ["seniors"],
        ["59172", "59207", "59002", "59603"],
        {
            "fees": "payant",
            "fees_details": "Abonnement mensuel, aide possible au titre de l'APA.",
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "EHPAD Les Glycines",
        "Hébergement permanent",
        ["hebergement-permanent"],
        ["seniors"],
        ["59"],
        {
            "fees": "payant",
            "accepting": False,
            "availability_note": "Complet ; inscription sur liste d'attente via ViaTrajectoire.",
        },
    ),
    (
        "EHPAD Les Glycines",
        "Hébergement temporaire",
        ["hebergement-temporaire"],
        ["seniors"],
        ["59"],
        {"fees": "payant", "waiting_days": 15},
    ),
    (
        "EHPAD Résidence Saint-Joseph",
        "Hébergement permanent",
        ["hebergement-permanent"],
        ["seniors"],
        ["59"],
        {"fees": "payant"},
    ),
    (
        "EHPAD Résidence Saint-Joseph",
        "Accueil de jour Alzheimer",
        ["accueil-de-jour", "aide-aux-aidants"],
        ["seniors", "aidants"],
        PEVELE + SCARPE,
        {
            "fees": "payant",
            "opening_hours": "Du lundi au vendredi, 9 h 30 – 17 h",
            "description": "Accueil à la journée de personnes atteintes de troubles cognitifs, pour les stimuler et soulager leurs aidants ; transport possible.",
        },
    ),
    (
        "CLIC du Pays de Condé",
        "Information et coordination gérontologique",
        ["information-coordination", "apa"],
        ["seniors", "aidants"],
        ESCAUT,
        {"fees": "gratuit", "mobilised_by": ["professionnels", "usagers"]},
    ),
    (
        "CLIC du Pays de Condé",
        "Groupes de parole pour les aidants",
        ["aide-aux-aidants"],
        ["aidants"],
        ESCAUT,
        {"fees": "gratuit"},
    ),
    (
        "MDPH du Nord",
        "Accueil et information des personnes handicapées",
        ["mdph"],
        ["personnes-en-situation-de-handicap"],
        ["59"],
        {"fees": "gratuit", "mobilised_by": ["professionnels", "usagers"]},
    ),
    (
        "MDPH du Nord",
        "Référent insertion scolaire",
        ["mdph"],
        ["enfants", "personnes-en-situation-de-handicap"],
        ["59"],
        {"fees": "gratuit", "age_max": 20},
    ),
    (
        "CCAS de Saint-Amand-les-Eaux",
        "Service social municipal",
        [
            "service-social",
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
        ],
        ["tous-publics"],
        ["59526"],
        {"fees": "gratuit", "mobilised_by": ["professionnels", "usagers"]},
    ),
    (
        "CCAS de Saint-Amand-les-Eaux",
        "Portage de repas du CCAS",
        ["portage-repas"],
        ["seniors"],
        ["59526"],
        {"fees": "payant", "fees_details": "Tarif selon les ressources."},
    ),
    (
        "CCAS de Saint-Amand-les-Eaux",
        "Téléassistance municipale",
        ["teleassistance"],
        ["seniors"],
        ["59526", "59491"],
        {"fees": "payant"},
    ),
    (
        "CPTS Scarpe-Escaut",
        "Aide à la recherche d'un médecin traitant",
        ["medecine-generale"],
        ["tous-publics"],
        ALL,
        {"fees": "gratuit", "mobilised_by": ["professionnels", "usagers"]},
    ),
    (
        "CPTS Scarpe-Escaut",
        "Soins non programmés en ville",
        ["medecine-generale"],
        ["tous-publics"],
        ALL,
        {"opening_hours": "Du lundi au samedi, 8 h – 20 h"},
    ),
    (
        "Maison de santé des Deux Rivières",
        "Consultations de médecine générale",
        ["medecine-generale"],
        [],
        PEVELE,
        {"access_conditions": ["sur-rendez-vous"]},
    ),
    (
        "Maison de santé des Deux Rivières",
        "Éducation thérapeutique (diabète, BPCO)",
        ["dieteticien", "kinesitherapie"],
        ["personnes-atteintes-de-maladie-chronique"],
        PEVELE,
        {"access_conditions": ["prescription-medicale"], "fees": "gratuit"},
    ),
    (
        "Maison de santé du Denaisis",
        "Consultations de médecine générale",
        ["medecine-generale"],
        [],
        ESCAUT,
        {"access_conditions": ["sur-rendez-vous"]},
    ),
    (
        "Maison de santé du Denaisis",
        "Consultations de psychologue",
        ["psychologue"],
        [],
        ESCAUT,
        {"fees": "payant", "fees_details": "Remboursable dans le dispositif Mon soutien psy."},
    ),
    (
        "Pharmacie de Rieulay",
        "Préparation des piluliers et bilan de médication",
        ["pharmacie"],
        ["seniors"],
        ["59501", "59630", "59375"],
        {"fees": "gratuit"},
    ),
    (
        "Pharmacie du Centre",
        "Préparation des piluliers et livraison à domicile",
        ["pharmacie"],
        ["seniors"],
        ["59526"],
        {},
    ),
    (
        "Conseil départemental du Nord",
        "Allocation personnalisée d'autonomie (APA) à domicile",
        ["apa"],
        ["seniors"],
        ["59"],
        {
            "fees": "gratuit",
            "access_conditions": ["residence-territoire"],
            "age_min": 60,
            "description": "Évaluation à domicile de la perte d'autonomie (grille AGGIR) et plan d'aide financé selon les ressources.",
        },
    ),
    (
        "Conseil départemental du Nord",
        "Service social départemental",
        ["service-social"],
        ["tous-publics"],
        ["59"],
        {"fees": "gratuit"},
    ),
    (
        "Communauté 360 du Nord",
        "Communauté 360 : solutions pour les personnes handicapées",
        ["communaute-360"],
        ["personnes-en-situation-de-handicap", "enfants"],
        ["59"],
        {
            "fees": "gratuit",
            "phone": "0 800 360 360",
            "mobilised_by": ["professionnels", "usagers"],
        },
    ),
    (
        "Équipe mobile de gériatrie de la Scarpe",
        "Évaluation gériatrique à domicile",
        ["equipe-mobile-geriatrie"],
        ["seniors"],
        ALL,
        {"reception_modes": ["a-domicile"], "access_conditions": ["prescription-medicale"]},
    ),
    (
        "Les Repas de la Pévèle",
        "Portage de repas à domicile",
        ["portage-repas"],
        ["seniors", "personnes-en-situation-de-handicap"],
        ["59375", "59501", "59630", "59635", "59111"],
        {"fees": "payant", "fees_details": "8,90 € le repas.", "reception_modes": ["a-domicile"]},
    ),
    (
        "Présence Solidaire Téléassistance",
        "Téléassistance",
        ["teleassistance"],
        ["seniors", "personnes-en-situation-de-handicap"],
        ESCAUT + ["59526", "59491", "59632"],
        {
            "fees": "payant",
            "fees_details": "Abonnement de 25 € par mois.",
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "Présence Solidaire Téléassistance",
        "Détecteur de chute et bracelet d'appel",
        ["teleassistance"],
        ["seniors"],
        ESCAUT,
        {"fees": "payant"},
    ),
    (
        "Plateforme de répit des aidants du Hainaut",
        "Plateforme d'accompagnement et de répit",
        ["aide-aux-aidants", "hebergement-temporaire"],
        ["aidants"],
        ALL,
        {"fees": "gratuit", "mobilised_by": ["professionnels", "usagers"]},
    ),
    (
        "Plateforme de répit des aidants du Hainaut",
        "Relayage à domicile",
        ["aide-aux-aidants"],
        ["aidants"],
        SCARPE + ESCAUT,
        {"fees": "payant"},
    ),
    (
        "Association tutélaire du Nord",
        "Mesures de protection juridique des majeurs",
        ["protection-juridique"],
        [],
        ["59"],
        {"access_conditions": []},
    ),
    (
        "Association tutélaire du Nord",
        "Information et soutien aux tuteurs familiaux",
        ["protection-juridique", "aide-aux-aidants"],
        ["aidants"],
        ["59"],
        {"fees": "gratuit"},
    ),
    (
        "Équipe mobile de soins palliatifs du Valenciennois",
        "Équipe mobile de soins palliatifs",
        ["equipe-mobile-soins-palliatifs"],
        ["personnes-en-fin-de-vie"],
        ALL,
        {"reception_modes": ["a-domicile", "en-presentiel"], "fees": "gratuit"},
    ),
    (
        "Centre médico-psychologique de Saint-Amand",
        "Consultations en santé mentale (CMP adultes)",
        ["sante--sante-mentale", "psychologue"],
        [],
        SCARPE + PEVELE,
        {"fees": "gratuit", "waiting_days": 60},
    ),
    (
        "CSAPA Escaut",
        "Consultations en addictologie",
        ["sante--addictions"],
        [],
        ESCAUT,
        {"fees": "gratuit"},
    ),
    (
        "Transport Solidaire Scarpe",
        "Transport accompagné pour les rendez-vous médicaux",
        ["transport"],
        ["seniors", "personnes-en-situation-de-handicap"],
        SCARPE + PEVELE,
        {"fees": "payant", "fees_details": "0,40 € par kilomètre."},
    ),
    (
        "Soliha Nord",
        "Adaptation du logement à la perte d'autonomie",
        ["adaptation-logement"],
        ["seniors", "personnes-en-situation-de-handicap"],
        ["59"],
        {
            "fees": "gratuit",
            "fees_details": "Diagnostic gratuit ; travaux subventionnés selon ressources.",
        },
    ),
    (
        "Épicerie sociale du Denaisis",
        "Aide alimentaire",
        ["equipement-et-alimentation--alimentation"],
        ["personnes-en-situation-de-precarite"],
        ["59172", "59207", "59002"],
        {"fees": "gratuit"},
    ),
    (
        "Accueil de jour Les Hortensias",
        "Accueil de jour",
        ["accueil-de-jour"],
        ["seniors"],
        PEVELE,
        {"fees": "payant"},
    ),
    (
        "Diététique et santé Valenciennes",
        "Consultations de diététique",
        ["dieteticien"],
        [],
        ESCAUT + SCARPE,
        {"fees": "payant", "reception_modes": ["en-presentiel", "a-domicile"]},
    ),
    (
        "Cabinet de psychologie du Hainaut",
        "Soutien psychologique des aidants",
        ["psychologue", "aide-aux-aidants"],
        ["aidants"],
        ESCAUT,
        {"fees": "payant"},
    ),
    (
        "Centre communal d'action sociale de Denain",
        "Service social municipal",
        ["service-social"],
        ["tous-publics"],
        ["59172"],
        {"fees": "gratuit"},
    ),
    (
        "Centre communal d'action sociale de Denain",
        "Portage de repas du CCAS de Denain",
        ["portage-repas"],
        ["seniors"],
        ["59172"],
        {"fees": "payant"},
    ),
    (
        "Centre communal d'action sociale de Denain",
        "Téléassistance du CCAS de Denain",
        ["teleassistance"],
        ["seniors"],
        ["59172"],
        {"fees": "payant"},
    ),
    (
        "Centre communal d'action sociale de Denain",
        "Aide à la constitution des dossiers (APA, MDPH, retraite)",
        ["difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"],
        ["tous-publics"],
        ["59172"],
        {"fees": "gratuit"},
    ),
    (
        "Aide à domicile Scarpe-Escaut",
        "Aide aux courses et accompagnement aux sorties",
        ["aide-a-domicile", "remobilisation--lien-social"],
        ["seniors"],
        SCARPE,
        {"fees": "payant"},
    ),
    (
        "Aide à domicile Scarpe-Escaut",
        "Auxiliaires de vie pour personnes handicapées",
        ["aide-a-domicile"],
        ["personnes-en-situation-de-handicap"],
        SCARPE + ESCAUT,
        {"fees": "payant", "access_conditions": ["plan-apa"]},
    ),
    (
        "Domicile Services Denain",
        "Portage de repas à domicile",
        ["portage-repas"],
        ["seniors"],
        ESCAUT,
        {"fees": "payant"},
    ),
    (
        "Domicile Services Denain",
        "Ménage et entretien du linge",
        ["aide-a-domicile", "equipement-et-alimentation--aide-menagere"],
        ["seniors"],
        ESCAUT,
        {"fees": "payant"},
    ),
    (
        "ADMR des Deux Rivières",
        "Aide aux familles (TISF)",
        ["famille--soutien-a-la-parentalite-et-a-leducation"],
        ["familles"],
        PEVELE,
        {"fees": "payant"},
    ),
    (
        "HAD Hainaut-Scarpe",
        "Soins palliatifs à domicile",
        ["had", "equipe-mobile-soins-palliatifs"],
        ["personnes-en-fin-de-vie"],
        ALL,
        {
            "access_conditions": ["prescription-medicale"],
            "opening_hours": "Astreinte 24 h/24, 7 j/7",
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "HAD Hainaut-Scarpe",
        "Infirmiers de nuit (astreinte HAD)",
        ["had", "soins-infirmiers-domicile"],
        [],
        ALL,
        {
            "access_conditions": ["prescription-medicale"],
            "opening_hours": "Nuit et week-end, 24 h/24",
            "reception_modes": ["a-domicile"],
        },
    ),
    (
        "Centre hospitalier de la Scarpe",
        "Urgences",
        ["hospitalisation"],
        ["tous-publics"],
        ["59"],
        {
            "opening_hours": "24 h/24, 7 j/7",
            "mobilised_by": ["professionnels", "usagers"],
            "mobilisation_modes": ["se-presenter", "telephoner"],
        },
    ),
    (
        "Centre hospitalier de la Scarpe",
        "Consultations de diabétologie et diététique",
        ["hospitalisation", "dieteticien"],
        [],
        ["59"],
        {"access_conditions": ["prescription-medicale"]},
    ),
    (
        "Centre hospitalier de la Scarpe",
        "Permanence d'accès aux soins de santé (PASS)",
        ["sante--acces-aux-soins", "service-social"],
        ["personnes-en-situation-de-precarite"],
        ["59"],
        {"fees": "gratuit", "mobilised_by": ["professionnels", "usagers"]},
    ),
    (
        "Clinique des Tilleuls",
        "Hôpital de jour de rééducation",
        ["soins-de-suite", "kinesitherapie"],
        [],
        ["59"],
        {"access_conditions": ["prescription-medicale"]},
    ),
    (
        "EHPAD Les Glycines",
        "Accueil de nuit",
        ["hebergement-temporaire", "aide-aux-aidants"],
        ["seniors", "aidants"],
        ALL,
        {"fees": "payant"},
    ),
    (
        "EHPAD Résidence Saint-Joseph",
        "Pôle d'activités et de soins adaptés (PASA)",
        ["consultation-memoire"],
        ["seniors"],
        ["59574"],
        {"fees": "gratuit"},
    ),
    (
        "MDPH du Nord",
        "Prestation de compensation du handicap (PCH)",
        ["mdph"],
        ["personnes-en-situation-de-handicap"],
        ["59"],
        {"fees": "gratuit"},
    ),
    (
        "Conseil départemental du Nord",
        "Évaluation des besoins de l'aidant",
        ["aide-aux-aidants", "apa"],
        ["aidants"],
        ["59"],
        {"fees": "gratuit"},
    ),
    (
        "Conseil départemental du Nord",
        "Protection maternelle et infantile (PMI)",
        ["famille--soutien-a-la-parentalite-et-a-leducation"],
        ["familles", "enfants"],
        ["59"],
        {"fees": "gratuit"},
    ),
    (
        "Conseil départemental du Nord",
        "Aide sociale à l'hébergement",
        [
            "hebergement-permanent",
            "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere",
        ],
        ["seniors"],
        ["59"],
        {"fees": "gratuit"},
    ),
    (
        "Communauté 360 du Nord",
        "Appui aux familles d'enfants autistes",
        ["communaute-360"],
        ["enfants", "familles"],
        ["59"],
        {"fees": "gratuit", "mobilised_by": ["professionnels", "usagers"]},
    ),
    (
        "CLIC du Pays de Condé",
        "Ateliers de prévention des chutes",
        ["information-coordination"],
        ["seniors"],
        ESCAUT,
        {
            "fees": "gratuit",
            "description": "Ateliers collectifs équilibre et prévention des chutes, en partenariat avec les caisses de retraite.",
        },
    ),
    (
        "CPTS Scarpe-Escaut",
        "Parcours insuffisance cardiaque en ville",
        ["soins-infirmiers-domicile", "medecine-generale"],
        ["personnes-atteintes-de-maladie-chronique"],
        ALL,
        {"access_conditions": ["prescription-medicale"]},
    ),
    (
        "Maison de santé du Denaisis",
        "Consultations de diététique",
        ["dieteticien"],
        [],
        ESCAUT,
        {"fees": "payant"},
    ),
    (
        "Maison de santé des Deux Rivières",
        "Soins infirmiers au cabinet et à domicile",
        ["soins-infirmiers-domicile"],
        [],
        PEVELE,
        {
            "access_conditions": ["prescription-medicale"],
            "reception_modes": ["en-presentiel", "a-domicile"],
        },
    ),
    (
        "Pharmacie du Centre",
        "Location de matériel médical",
        ["pharmacie", "adaptation-logement"],
        [],
        ["59526", "59491", "59632"],
        {},
    ),
    (
        "Transport Solidaire Scarpe",
        "Accompagnement aux courses",
        ["transport", "remobilisation--lien-social"],
        ["seniors"],
        SCARPE,
        {"fees": "payant"},
    ),
    (
        "Soliha Nord",
        "Aides financières pour l'adaptation du logement",
        ["adaptation-logement", "logement-hebergement--se-maintenir-dans-le-logement"],
        ["seniors"],
        ["59"],
        {"fees": "gratuit"},
    ),
    (
        "Plateforme de répit des aidants du Hainaut",
        "Séjours de répit aidant-aidé",
        ["aide-aux-aidants"],
        ["aidants", "seniors"],
        ALL,
        {"fees": "payant"},
    ),
    (
        "Équipe mobile de gériatrie de la Scarpe",
        "Avis gériatrique téléphonique pour les médecins",
        ["equipe-mobile-geriatrie"],
        ["seniors"],
        ALL,
        {"reception_modes": ["a-distance"], "mobilised_by": ["professionnels"]},
    ),
    (
        "Cabinet de psychologie du Hainaut",
        "Consultations de psychologue",
        ["psychologue"],
        [],
        ESCAUT + SCARPE,
        {
            "fees": "payant",
            "fees_details": "Remboursable dans le dispositif Mon soutien psy.",
            "reception_modes": ["en-presentiel", "a-distance"],
        },
    ),
]

# professions whose practitioners are resources: service name and theme
PROFESSION_SERVICES = {
    P.NURSE: ("Soins infirmiers à domicile", "soins-infirmiers-domicile"),
    P.PHYSIOTHERAPIST: ("Kinésithérapie", "kinesitherapie"),
    P.PHYSICIAN: ("Consultation de médecine générale", "medecine-generale"),
    P.OCCUPATIONAL_THERAPIST: ("Ergothérapie", "ergotherapeute"),
}

UNMET_NEEDS = [
    (
        "teleassistance",
        "59501",
        "seniors",
        "Aucun service de téléassistance n'intervient à Rieulay.",
    ),
    ("teleassistance", "59630", "seniors", "Pas de téléassistance sur Vred."),
    ("dieteticien", "59375", "seniors", "Pas de diététicien à domicile dans la Pévèle."),
    (
        "hebergement-temporaire",
        "59574",
        "seniors",
        "Aucune place d'hébergement temporaire disponible avant deux mois.",
    ),
    (
        "psychologue",
        "59501",
        "aidants",
        "Soutien psychologique des aidants non disponible dans la Pévèle.",
    ),
    (
        "transport",
        "59172",
        "personnes-en-situation-de-handicap",
        "Pas de transport adapté pour les rendez-vous à Denain.",
    ),
    ("aide-a-domicile", "59635", "seniors", "Garde de nuit impossible à Wandignies-Hamage."),
    ("accueil-de-jour", "59153", "seniors", "Pas d'accueil de jour sur le secteur de Condé."),
]


def seed(stdout):
    rng = random.Random(20260301)
    now = timezone.now()
    communes = {c.insee_code: c for c in Commune.objects.all()}
    verifier = User.objects.filter(email__startswith="accueil@").first()
    organisations = {o.name: o for o in Organisation.objects.all()}
    for name, kind, code, address, phone in EXTRA_ORGANISATIONS:
        org = organisations.get(name) or Organisation(name=name)
        org.kind, org.commune, org.address, org.phone = kind, communes[code], address, phone
        org.postal_code = (communes[code].postal_code_list or [""])[0]
        org.save()
        organisations[name] = org

    def verified_at(index):
        # Most entries checked this year; some older than 12 months or never, to show upkeep.
        if index % 13 == 5:
            return None
        if index % 9 == 4:
            return now - timedelta(days=400 + index)
        return now - timedelta(days=rng.randint(5, 300))

    count = 0
    for index, (org_name, name, themes, publics, zone, extra) in enumerate(ORGANISATION_SERVICES):
        org = organisations[org_name]
        defaults = {
            "sector": SECTOR_BY_KIND.get(org.kind, Sector.SOCIAL),
            "themes": themes,
            "publics": publics,
            "zone_codes": zone,
            "address": org.address,
            "postal_code": org.postal_code,
            "commune": org.commune,
            "phone": org.phone,
            "email": f"contact@{slug(org_name)}.test",
            "description": "",
            "opening_hours": "Du lundi au vendredi, 9 h – 12 h et 14 h – 17 h",
            "reception_modes": ["en-presentiel"],
            "mobilised_by": ["professionnels"],
            "mobilisation_modes": ["telephoner", "envoyer-un-courriel"],
            "verified_at": verified_at(index),
            "verified_by": verifier,
            "accepting": True,
        }
        defaults.update(extra)
        if defaults["verified_at"] is None:
            defaults["verified_by"] = None
        Service.objects.update_or_create(organisation=org, name=name, defaults=defaults)
        count += 1

    professionals = Professional.objects.filter(
        profession__in=PROFESSION_SERVICES
    ).prefetch_related("practice_places__commune")
    for index, pro in enumerate(professionals.order_by("pk")):
        place = next(iter(pro.practice_places.all()), None)
        commune = place.commune if place else None
        if commune is None or place.organisation_id:
            continue  # salaried practitioners are reached through their structure
        label, theme = PROFESSION_SERVICES[pro.profession]
        if pro.profession == P.PHYSICIAN and pro.specialty != "Médecine générale":
            continue
        checked = verified_at(index + 100)
        home = pro.profession in {P.NURSE, P.PHYSIOTHERAPIST, P.OCCUPATIONAL_THERAPIST}
        Service.objects.update_or_create(
            professional=pro,
            name=label,
            defaults={
                "sector": Sector.HEALTH,
                "themes": [theme],
                "zone_codes": [commune.insee_code],
                "radius_km": 12 if home else None,
                "commune": commune,
                "address": place.address,
                "phone": pro.phone,
                "reception_modes": ["a-domicile", "en-presentiel"] if home else ["en-presentiel"],
                "mobilised_by": ["professionnels", "usagers"],
                "mobilisation_modes": ["telephoner"],
                "access_conditions": ["prescription-medicale"] if home else ["sur-rendez-vous"],
                "accepting": index % 7 != 3,
                "verified_at": checked,
                "verified_by": verifier if checked else None,
            },
        )
        count += 1

    dac = organisations.get("DAC Scarpe-Escaut")
    today = timezone.localdate()
    for index, (theme, code, public, text) in enumerate(UNMET_NEEDS):
        UnmetNeed.objects.update_or_create(
            dac=dac,
            theme=theme,
            commune=communes[code],
            description=text,
            defaults={"public": public, "noted_on": today - timedelta(days=20 + 37 * index)},
        )
    stdout.write(f"Répertoire : {count} services ; {len(UNMET_NEEDS)} besoins non couverts")
    return []
