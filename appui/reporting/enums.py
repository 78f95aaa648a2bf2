from django.db import models


class DerogatoryKind(models.TextChoices):
    """Services the DAC pays for, outside the health-insurance nomenclature (PRODUCT §8)."""

    PSYCHOLOGIST = "psychologist", "Psychologue"
    DIETITIAN = "dietitian", "Diététicien·ne"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Ergothérapeute"
    PSYCHOMOTOR_THERAPIST = "psychomotor_therapist", "Psychomotricien·ne"
    ADAPTED_PHYSICAL_ACTIVITY = "adapted_physical_activity", "Activité physique adaptée"
    OTHER = "other", "Autre prestation"


class ObjectiveKind(models.TextChoices):
    STRATEGIC = "strategic", "Objectif stratégique"
    OPERATIONAL = "operational", "Objectif opérationnel"


class TargetDirection(models.TextChoices):
    AT_LEAST = "at_least", "Au moins la cible"
    AT_MOST = "at_most", "Au plus la cible"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    SENT = "sent", "Transmise à l'ARS"
    CLOSED = "closed", "Close (observations de l'ARS reçues)"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    FINAL = "final", "Arrêté"


class HealthSocialAxis(models.IntegerChoices):
    """Seed 004's cartography, horizontal axis: from the health to the social field."""

    HEALTH = 1, "Sanitaire"
    MOSTLY_HEALTH = 2, "Plutôt sanitaire"
    BOTH = 3, "Sanitaire et social"
    MOSTLY_SOCIAL = 4, "Plutôt social"
    SOCIAL = 5, "Social"


class ComplexityAxis(models.IntegerChoices):
    """Seed 004's cartography, vertical axis: from standard to complex situations."""

    STANDARD = 1, "Situations standard"
    MIXED = 2, "Standard et complexes"
    COMPLEX = 3, "Situations complexes"
