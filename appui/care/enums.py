from django.db import models


class EpisodeKind(models.TextChoices):
    COORDINATION = "coordination", "Accompagnement (coordination renforcée)"
    CASE_MANAGEMENT = "case_management", "Gestion de cas"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "En cours"
    CLOSED = "closed", "Clôturé"


class ExitReason(models.TextChoices):
    """Why a person leaves the file active (PRODUCT §4)."""

    DEATH = "death", "Décès"
    RELAY = "relay", "Relais vers une autre structure"
    STABILISED = "stabilised", "Situation stabilisée (retour en veille)"
    INSTITUTION = "institution", "Entrée en établissement"
    MOVED = "moved", "Déménagement hors du territoire"
    REFUSAL = "refusal", "Refus de la personne"
    GOALS_MET = "goals_met", "Objectifs atteints"


class ConsentAnswer(models.TextChoices):
    AGREES = "agrees", "Accepte l'accompagnement"
    REFUSES = "refuses", "Refuse l'accompagnement"


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", "La personne elle-même"
    LEGAL_REPRESENTATIVE = "legal_representative", "Son représentant légal"


class InformationChannel(models.TextChoices):
    """How someone was informed or how an answer was obtained."""

    HOME_VISIT = "home_visit", "Lors d'une visite à domicile"
    OFFICE = "office", "En rendez-vous"
    PHONE = "phone", "Par téléphone"
    MSSANTE = "mssante", "Par messagerie sécurisée (MSSanté)"
    LETTER = "letter", "Par courrier"
    IN_APP = "in_app", "Dans Appui"
    MEETING = "meeting", "En réunion de concertation"


class AssessmentDomain(models.TextChoices):
    """Domains of the multidimensional assessment and of the PPCS synthesis."""

    HEALTH = "health", "Santé"
    AUTONOMY = "autonomy", "Autonomie"
    COGNITION = "cognition", "Cognition"
    PSYCHOLOGICAL = "psychological", "Psychologique"
    CARERS = "carers", "Entourage et aidant"
    HOUSING = "housing", "Logement et environnement"
    RIGHTS = "rights", "Ressources et droits"
    SOCIAL_LIFE = "social_life", "Vie sociale"


class FormKind(models.TextChoices):
    MULTIDIMENSIONAL = "multidimensional", "Évaluation multidimensionnelle"
    AGGIR = "aggir", "Grille AGGIR"
    SCREENING = "screening", "Repérage de la complexité"
    OTHER = "other", "Autre grille"


class AssessmentPlace(models.TextChoices):
    HOME = "home", "Au domicile (visite à domicile)"
    OFFICE = "office", "Dans les locaux du DAC"
    HOSPITAL = "hospital", "En établissement de santé"
    PHONE = "phone", "Par téléphone"
    OTHER = "other", "Autre lieu"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "En cours de saisie"
    COMPLETED = "completed", "Terminée"


class PlanStatus(models.TextChoices):
    """Lifecycle of a PPCS version."""

    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumis au médecin traitant"
    VALIDATED = "validated", "Validé par le médecin traitant"
    ACTIVE = "active", "En vigueur"
    SUPERSEDED = "superseded", "Remplacé par une version suivante"


class ActionKind(models.TextChoices):
    """HAS: three action types, considered in this order of recourse."""

    PREVENTION = "prevention", "Prévention"
    CARE = "care", "Soins"
    SUPPORT = "support", "Accompagnement et aides"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    NOT_DONE = "not_done", "Non réalisée"


class GoalStatus(models.TextChoices):
    PURSUED = "pursued", "En cours"
    ACHIEVED = "achieved", "Atteint"
    NOT_ACHIEVED = "not_achieved", "Non atteint"


class AdverseEventKind(models.TextChoices):
    UNPLANNED_HOSPITALISATION = "unplanned_hospitalisation", "Hospitalisation non programmée"
    CARE_RUPTURE = "care_rupture", "Rupture de prise en charge"
    VOLUNTARY_EXIT = "voluntary_exit", "Sortie volontaire du dispositif"
    OTHER = "other", "Autre événement indésirable"


class VisitStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    DONE = "done", "Réalisée"
    CANCELLED = "cancelled", "Annulée"


class AlertKind(models.TextChoices):
    REVIEW_SOON = "review_soon", "Révision du PPCS dans moins de 15 jours"
    REVIEW_PASSED = "review_passed", "Date de révision du PPCS dépassée"
    NO_REASSESSMENT = "no_reassessment", "Pas de réévaluation depuis 12 mois"
    ACTION_OVERDUE = "action_overdue", "Action du PPCS en retard"
    ACTION_NOT_DONE = "action_not_done", "Action du PPCS non réalisée"
    URGENT_24H = "urgent_24h", "Urgence : réévaluation à 24 h"
    URGENT_48H = "urgent_48h", "Urgence : réévaluation à 48 h"
    NO_CONTACT = "no_contact", "Pas de contact depuis plusieurs jours"


class AlertStatus(models.TextChoices):
    OPEN = "open", "À traiter"
    ACKNOWLEDGED = "acknowledged", "Prise en compte"
    RESOLVED = "resolved", "Levée"
