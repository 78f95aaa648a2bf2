from django.db import models


class Role(models.TextChoices):
    """The roles a user holds in an organisation (one role per membership)."""

    ASSISTANT = "assistant", "Assistant·e de coordination"
    COORDINATOR = "coordinator", "Coordinateur·rice de parcours"
    CASE_MANAGER = "case_manager", "Gestionnaire de cas"
    SUPPORT_PHYSICIAN = "support_physician", "Médecin d'appui"
    DIRECTOR = "director", "Direction"
    PARTNER = "partner", "Professionnel·le partenaire"
    REGIONAL_PILOT = "regional_pilot", "Pilote régional (ARS)"
    ADMIN = "admin", "Administrateur·rice"


#: Roles held by the DAC's own team (the second factor applies to them).
DAC_STAFF_ROLES = frozenset(
    {
        Role.ASSISTANT,
        Role.COORDINATOR,
        Role.CASE_MANAGER,
        Role.SUPPORT_PHYSICIAN,
        Role.DIRECTOR,
        Role.ADMIN,
    }
)


class AccessAction(models.TextChoices):
    READ = "read", "Consultation"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression (archivage)"
    EXPORT = "export", "Export"
    PRINT = "print", "Impression"
    EMERGENCY = "emergency", "Accès en urgence (bris de glace)"


class SensitivityCategory(models.TextChoices):
    """The categories every piece of a person's data belongs to; each profile has a default right
    per category (docs/permissions.md), the DAC may adjust it, the person may restrict it."""

    ADMINISTRATIVE = "administrative", "Administratif"
    SOCIAL = "social", "Social"
    AUTONOMY = "autonomy", "Autonomie"
    MEDICAL = "medical", "Médical"
    PSYCHOLOGICAL = "psychological", "Psychologique"
    PLAN = "plan", "Plan d'accompagnement (PPCS)"


class CircleRelationship(models.TextChoices):
    """Where a user stands with respect to one person's care circle."""

    MEMBER = "member", "Membre du cercle de soins"
    RESTRICTED = "restricted", "Membre, restreint par la personne"
    EMERGENCY = "emergency", "Accès en urgence (bris de glace)"
    LEFT = "left", "A quitté le cercle de soins"
    OUTSIDE = "outside", "Hors du cercle de soins"
    EXCLUDED = "excluded", "Exclu par la personne"
