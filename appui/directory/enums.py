"""The directory's controlled vocabularies.

Themes, publics, reception and mobilisation modes and fees reuse the enumerations of the French
data·inclusion schema (PyPI ``data-inclusion-schema``) so that imports and exports speak the same
codes as the national inclusion data; the health and autonomy offer that data·inclusion does not
describe (SSIAD, HAD, portage de repas, téléassistance…) is added here with codes of our own.

Each theme carries *keywords*: the words a front desk types for it ("téléalarme" for
téléassistance). They are indexed with the service, which is how a search on a synonym finds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from data_inclusion.schema import v1 as di
from django.db import models

from appui.core.identifiers import DEPARTMENT_RE, INSEE_COMMUNE_RE, SIREN_RE


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    group: str
    keywords: str = ""
    #: nearest data·inclusion theme, used when exporting one of our own codes
    di_code: str = ""


HEALTH_GROUP = "Santé et autonomie"

# Our own health and autonomy vocabulary (codes without the data·inclusion "category--" prefix).
_HEALTH_THEMES = [
    Theme(
        "medecine-generale",
        "Médecine générale",
        HEALTH_GROUP,
        "médecin généraliste traitant consultation",
        "sante--acces-aux-soins",
    ),
    Theme(
        "soins-infirmiers-domicile",
        "Soins infirmiers à domicile",
        HEALTH_GROUP,
        "infirmier infirmière IDE libéral pansement injection toilette",
        "sante--acces-aux-soins",
    ),
    Theme(
        "ssiad",
        "Service de soins infirmiers à domicile (SSIAD)",
        HEALTH_GROUP,
        "SSIAD aide-soignant toilette soins",
        "sante--acces-aux-soins",
    ),
    Theme(
        "had",
        "Hospitalisation à domicile (HAD)",
        HEALTH_GROUP,
        "HAD hospitalisation domicile",
        "sante--acces-aux-soins",
    ),
    Theme(
        "hospitalisation",
        "Hospitalisation et consultations hospitalières",
        HEALTH_GROUP,
        "hôpital clinique urgences consultation spécialiste",
        "sante--acces-aux-soins",
    ),
    Theme(
        "soins-de-suite",
        "Soins médicaux et de réadaptation (SMR)",
        HEALTH_GROUP,
        "SSR SMR rééducation convalescence",
        "sante--acces-aux-soins",
    ),
    Theme(
        "equipe-mobile-geriatrie",
        "Équipe mobile de gériatrie",
        HEALTH_GROUP,
        "EMG gériatre évaluation gériatrique",
        "sante--acces-aux-soins",
    ),
    Theme(
        "equipe-mobile-soins-palliatifs",
        "Équipe mobile de soins palliatifs",
        HEALTH_GROUP,
        "EMSP palliatif fin de vie douleur",
        "sante--acces-aux-soins",
    ),
    Theme(
        "consultation-memoire",
        "Consultation mémoire",
        HEALTH_GROUP,
        "mémoire Alzheimer troubles cognitifs neurologue",
        "sante--acces-aux-soins",
    ),
    Theme(
        "psychologue",
        "Psychologue",
        HEALTH_GROUP,
        "psychologue soutien psychologique écoute",
        "sante--sante-mentale",
    ),
    Theme(
        "dieteticien",
        "Diététicien·ne",
        HEALTH_GROUP,
        "diététique nutrition dénutrition régime",
        "sante--acces-aux-soins",
    ),
    Theme(
        "ergotherapeute",
        "Ergothérapeute",
        HEALTH_GROUP,
        "ergothérapie aménagement aides techniques",
        "sante--acces-aux-soins",
    ),
    Theme(
        "kinesitherapie",
        "Kinésithérapie",
        HEALTH_GROUP,
        "kiné kinésithérapeute rééducation",
        "sante--acces-aux-soins",
    ),
    Theme(
        "orthophonie",
        "Orthophonie",
        HEALTH_GROUP,
        "orthophoniste langage déglutition",
        "sante--acces-aux-soins",
    ),
    Theme(
        "pharmacie",
        "Pharmacie",
        HEALTH_GROUP,
        "pharmacien officine médicaments pilulier",
        "sante--acces-aux-soins",
    ),
    Theme(
        "aide-a-domicile",
        "Aide et accompagnement à domicile",
        HEALTH_GROUP,
        "SAAD aide ménagère auxiliaire de vie aide à domicile",
        "famille--prise-en-charge-personne-dependante",
    ),
    Theme(
        "portage-repas",
        "Portage de repas à domicile",
        HEALTH_GROUP,
        "portage repas livraison plateaux repas",
        "equipement-et-alimentation--alimentation",
    ),
    Theme(
        "teleassistance",
        "Téléassistance",
        HEALTH_GROUP,
        "téléalarme alarme détecteur de chute bip bracelet",
        "famille--prise-en-charge-personne-dependante",
    ),
    Theme(
        "accueil-de-jour",
        "Accueil de jour",
        HEALTH_GROUP,
        "accueil de jour répit Alzheimer",
        "famille--soutien-aidants",
    ),
    Theme(
        "hebergement-temporaire",
        "Hébergement temporaire",
        HEALTH_GROUP,
        "hébergement temporaire répit séjour",
        "famille--soutien-aidants",
    ),
    Theme(
        "hebergement-permanent",
        "Hébergement permanent (EHPAD, résidence autonomie)",
        HEALTH_GROUP,
        "EHPAD maison de retraite résidence autonomie",
        "famille--prise-en-charge-personne-dependante",
    ),
    Theme(
        "aide-aux-aidants",
        "Aide aux aidants",
        HEALTH_GROUP,
        "aidant répit soutien plateforme de répit formation des aidants",
        "famille--soutien-aidants",
    ),
    Theme(
        "service-social",
        "Service social",
        HEALTH_GROUP,
        "assistante sociale travailleur social",
        "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
    ),
    Theme(
        "transport",
        "Transport accompagné",
        HEALTH_GROUP,
        "transport taxi ambulance VSL accompagnement sorties",
        "mobilite--etre-accompagne-dans-son-parcours-mobilite",
    ),
    Theme(
        "mdph",
        "Maison départementale des personnes handicapées (MDPH)",
        HEALTH_GROUP,
        "MDPH handicap AAH PCH orientation",
        "sante--constituer-un-dossier-mdph-invalidite",
    ),
    Theme(
        "communaute-360",
        "Communauté 360",
        HEALTH_GROUP,
        "communauté 360 handicap solutions",
        "sante--constituer-un-dossier-mdph-invalidite",
    ),
    Theme(
        "apa",
        "Allocation personnalisée d'autonomie (APA)",
        HEALTH_GROUP,
        "APA allocation autonomie évaluation GIR conseil départemental",
        "famille--prise-en-charge-personne-dependante",
    ),
    Theme(
        "information-coordination",
        "Information et coordination gérontologique",
        HEALTH_GROUP,
        "CLIC information coordination orientation personnes âgées",
        "famille--prise-en-charge-personne-dependante",
    ),
    Theme(
        "adaptation-logement",
        "Adaptation du logement",
        HEALTH_GROUP,
        "adaptation logement aménagement salle de bain",
        "logement-hebergement--se-maintenir-dans-le-logement",
    ),
    Theme(
        "protection-juridique",
        "Protection juridique des majeurs",
        HEALTH_GROUP,
        "tutelle curatelle mandataire protection",
        "difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere",
    ),
]

# The data·inclusion themes, grouped by their category.
_CATEGORY_LABELS = {c.value: c.label for c in di.Categorie}
_DI_THEMES = [
    Theme(t.value, t.label, _CATEGORY_LABELS.get(t.value.split("--")[0], "Autres"), "", t.value)
    for t in di.Thematique
]

THEMES: dict[str, Theme] = {t.code: t for t in _HEALTH_THEMES + _DI_THEMES}


def theme_choices() -> list:
    """Grouped choices (optgroups) for a select: our vocabulary first, then data·inclusion's."""
    groups: dict[str, list] = {}
    for theme in THEMES.values():
        groups.setdefault(theme.group, []).append((theme.code, theme.label))
    return list(groups.items())


def theme_label(code: str) -> str:
    theme = THEMES.get(code)
    return theme.label if theme else code


def _choices(enum_cls) -> list[tuple[str, str]]:
    return [(e.value, e.label) for e in enum_cls]


#: data·inclusion publics, then the publics of health and autonomy it does not name.
PUBLICS: dict[str, str] = dict(_choices(di.Public))
PUBLICS["seniors"] = "Personnes âgées"
PUBLICS.update(
    {
        "enfants": "Enfants et adolescents",
        "aidants": "Aidants",
        "personnes-en-situation-de-precarite": "Personnes en situation de précarité",
        "personnes-en-fin-de-vie": "Personnes en fin de vie",
        "personnes-atteintes-de-maladie-chronique": "Personnes atteintes de maladie chronique",
    }
)
ALL_PUBLICS = "tous-publics"


class ReceptionMode(models.TextChoices):
    ON_SITE = "en-presentiel", "Sur place"
    AT_HOME = "a-domicile", "À domicile"
    REMOTE = "a-distance", "À distance"


class MobilisedBy(models.TextChoices):
    PROFESSIONALS = "professionnels", "Les professionnels"
    PERSONS = "usagers", "La personne ou ses aidants"


class MobilisationMode(models.TextChoices):
    PHONE = "telephoner", "Téléphoner"
    EMAIL = "envoyer-un-courriel", "Envoyer un courriel"
    SECURE_MESSAGE = "messagerie-securisee", "Messagerie sécurisée de santé"
    WALK_IN = "se-presenter", "Se présenter"
    FORM = "utiliser-lien-mobilisation", "Remplir un formulaire en ligne"


class AccessCondition(models.TextChoices):
    PRESCRIPTION = "prescription-medicale", "Prescription médicale"
    MDPH_ORIENTATION = "orientation-mdph", "Notification d'orientation MDPH"
    APA = "plan-apa", "Plan d'aide APA ou aide sociale"
    RESIDENCE = "residence-territoire", "Résider sur la zone d'intervention"
    APPOINTMENT = "sur-rendez-vous", "Sur rendez-vous"
    OUT_OF_POCKET = "reste-a-charge", "Reste à charge possible"


class ImportFormat(models.TextChoices):
    FINESS = "finess", "FINESS — extraction des établissements (CSV)"
    RPPS = "rpps", "RPPS — extraction PS_LibreAcces (professionnels et lieux d'exercice)"
    DATA_INCLUSION = "data-inclusion", "data·inclusion — structures et services (JSON)"
    FHIR = "fhir", "ROR — Bundle FHIR R4 (Organization, HealthcareService, Location)"


class Fees(models.TextChoices):
    FREE = "gratuit", "Gratuit"
    PAYING = "payant", "Payant"


#: Codes of `zone_eligibilite` meaning the whole country.
NATIONAL_CODES = ("france", "99100")


def is_zone_code(code: str) -> bool:
    """A code a zone of intervention may list: commune (Insee), EPCI (SIREN), département, France."""
    return code in NATIONAL_CODES or any(
        pattern.match(code) for pattern in (INSEE_COMMUNE_RE, DEPARTMENT_RE, SIREN_RE)
    )
