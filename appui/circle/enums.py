from django.db import models


class MemberKind(models.TextChoices):
    STAFF = "staff", "Équipe du DAC"
    PROFESSIONAL = "professional", "Professionnel·le"
    ORGANISATION = "organisation", "Structure partenaire"
    CARER = "carer", "Proche aidant"


class JoinedHow(models.TextChoices):
    AUTOMATIC = "automatic", "Automatiquement (référente, gestionnaire de cas)"
    ADDED = "added", "Ajouté·e par le DAC"
    INVITED = "invited", "Invité·e par courriel"
    PERSON_REQUEST = "person_request", "À la demande de la personne"
    REQUEST = "request", "Auteur de la demande d'appui"


class ObjectionScope(models.TextChoices):
    EXCLUDE = "exclude", "Exclure ce membre (aucun partage)"
    RESTRICT = "restrict", "Limiter le partage à certaines catégories"


class ExpressedHow(models.TextChoices):
    ORAL = "oral", "Oralement"
    WRITTEN = "written", "Par écrit"
    PHONE = "phone", "Par téléphone"
    VISIT = "visit", "Lors d'une visite à domicile"
    REPRESENTATIVE = "representative", "Par son représentant légal"


class NotificationKind(models.TextChoices):
    LIAISON_NOTE = "liaison_note", "Nouvelle note du cahier de liaison"
    MENTION = "mention", "Mention dans une note"
    CIRCLE = "circle", "Arrivée dans un cercle de soins"
    EMERGENCY_ACCESS = "emergency_access", "Accès en urgence (bris de glace)"
    OBJECTION = "objection", "Opposition de la personne"


class SharingProfile(models.TextChoices):
    """Whose default rights apply: a DAC staff role, or a partner's profession."""

    ASSISTANT = "assistant", "Assistant·e de coordination"
    COORDINATOR = "coordinator", "Coordinateur·rice de parcours"
    CASE_MANAGER = "case_manager", "Gestionnaire de cas"
    SUPPORT_PHYSICIAN = "support_physician", "Médecin d'appui"
    DIRECTOR = "director", "Direction"
    PHYSICIAN = "physician", "Médecin"
    PHARMACIST = "pharmacist", "Pharmacien·ne"
    NURSE = "nurse", "Infirmier·ère"
    PHYSIOTHERAPIST = "physiotherapist", "Masseur-kinésithérapeute"
    PSYCHOLOGIST = "psychologist", "Psychologue"
    DIETITIAN = "dietitian", "Diététicien·ne"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Ergothérapeute"
    SPEECH_THERAPIST = "speech_therapist", "Orthophoniste"
    MIDWIFE = "midwife", "Sage-femme"
    DENTIST = "dentist", "Chirurgien·ne-dentiste"
    CARE_ASSISTANT = "care_assistant", "Aide-soignant·e"
    SOCIAL_WORKER = "social_worker", "Assistant·e de service social"
    SOCIAL_EDUCATOR = "social_educator", "Éducateur·rice spécialisé·e"
    OTHER = "other", "Autre professionnel·le ou structure"
