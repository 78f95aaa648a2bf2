from django.db import models


class Channel(models.TextChoices):
    PHONE = "phone", "Téléphone"
    EMAIL = "email", "Courriel"
    SECURE_MESSAGE = "secure_message", "Messagerie sécurisée de santé"
    VISIT = "visit", "Visite à l'accueil"
    LETTER = "letter", "Courrier"
    WEB_FORM = "web_form", "Formulaire en ligne"


class RequesterKind(models.TextChoices):
    PROFESSIONAL = "professional", "Un·e professionnel·le"
    ORGANISATION = "organisation", "Une structure"
    PERSON = "person", "La personne elle-même"
    CARER = "carer", "Un·e aidant·e, un proche"
    OTHER = "other", "Autre"


class Urgency(models.TextChoices):
    NORMAL = "normal", "Non urgente"
    URGENT = "urgent", "Urgente"


class Answer(models.TextChoices):
    """A yes / no / not yet asked answer (the person's knowledge, agreement…)."""

    YES = "yes", "Oui"
    NO = "no", "Non"
    UNKNOWN = "unknown", "Pas encore recueilli"


class RequestStatus(models.TextChoices):
    NEW = "new", "Nouvelle"
    IN_ANALYSIS = "in_analysis", "En analyse"
    ANSWERED = "answered", "Répondue"
    CLOSED = "closed", "Clôturée"
    ACCOMPANIMENT = "accompaniment", "Transformée en accompagnement"
    REFERRED = "referred", "Réorientée"
    REFUSED = "refused", "Refusée"


#: Statuses in which the request still waits for the DAC (the work queue).
OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.IN_ANALYSIS)


class ResponseType(models.TextChoices):
    INFORMATION = "information", "Information, conseil"
    ORIENTATION = "orientation", "Orientation, mise en relation"
    ONE_OFF_SUPPORT = "one_off_support", "Appui ponctuel"
    COORDINATION = "coordination", "Accompagnement (coordination renforcée)"
    CASE_MANAGEMENT = "case_management", "Gestion de cas"
    REFERRAL_OUT = "referral_out", "Réorientation vers un autre dispositif"
    REFUSED_BY_PERSON = "refused_by_person", "Refus de la personne"
    NO_FOLLOW_UP = "no_follow_up", "Pas de suite possible"


#: Responses that open a care episode for the person.
EPISODE_RESPONSES = (ResponseType.COORDINATION, ResponseType.CASE_MANAGEMENT)


class IntensityLevel(models.TextChoices):
    """Graduated intensity (PRODUCT §4): niveau 0 to 3, and urgence."""

    WATCH = "watch", "Niveau 0 — veille"
    RISK = "risk", "Niveau 1 — signalement d'un risque"
    SHORT_TERM = "short_term", "Niveau 2 — complexe à court terme"
    LONG_TERM = "long_term", "Niveau 3 — complexe à long terme"
    URGENT = "urgent", "Urgence"


class ContactKind(models.TextChoices):
    CALL_IN = "call_in", "Appel reçu"
    CALL_OUT = "call_out", "Appel passé"
    VISIT = "visit", "Visite à domicile"
    OFFICE = "office", "Rendez-vous au DAC"
    MESSAGE_IN = "message_in", "Message reçu"
    MESSAGE_OUT = "message_out", "Message envoyé"
    MEETING = "meeting", "Réunion"


class GpInformationChannel(models.TextChoices):
    MSSANTE = "mssante", "Messagerie sécurisée de santé (MSSanté)"
    LETTER = "letter", "Courrier"
    PHONE = "phone", "Téléphone"
    HAND = "hand", "Remis en main propre"
    OTHER = "other", "Autre"
