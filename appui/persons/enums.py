from django.db import models


class Sex(models.TextChoices):
    """INS administrative sex (FR Core: male / female / unknown)."""

    FEMALE = "F", "Féminin"
    MALE = "M", "Masculin"
    UNKNOWN = "I", "Inconnu"


class IdentityStatus(models.TextChoices):
    """Identity reliability (RNIV; FR Core `fr-core-identity-reliability`), with its codes."""

    PROVISIONAL = "PROV", "Identité provisoire"
    RETRIEVED = "RECUP", "Identité récupérée"
    VALIDATED = "VALI", "Identité validée"
    QUALIFIED = "QUAL", "Identité qualifiée"


class IdentityEvidence(models.TextChoices):
    """How the identity was checked. High-trust documents (RNIV) validate an identity."""

    NONE = "", "Aucun justificatif"
    ID_CARD = "cni", "Carte nationale d'identité"
    PASSPORT = "passport", "Passeport"
    RESIDENCE_PERMIT = "residence_permit", "Titre de séjour"
    FAMILY_BOOK = "family_book", "Livret de famille (mineur, avec la pièce du parent)"
    BIRTH_CERTIFICATE = (
        "birth_certificate",
        "Extrait d'acte de naissance (mineur, avec la pièce du parent)",
    )
    HEALTH_CARD = "health_card", "Carte Vitale ou attestation (faible niveau de confiance)"
    DECLARATION = "declaration", "Déclaration de la personne ou d'un tiers"


#: RNIV: only these documents give a high level of trust (they can validate an identity).
HIGH_TRUST_EVIDENCE = frozenset(
    {
        IdentityEvidence.ID_CARD,
        IdentityEvidence.PASSPORT,
        IdentityEvidence.RESIDENCE_PERMIT,
        IdentityEvidence.FAMILY_BOOK,
        IdentityEvidence.BIRTH_CERTIFICATE,
    }
)


class NirKind(models.TextChoices):
    NIR = "NIR", "NIR (numéro de sécurité sociale)"
    NIA = "NIA", "NIA (numéro d'identification d'attente)"


class GpStatus(models.TextChoices):
    KNOWN = "known", "Connu"
    UNKNOWN = "unknown", "Inconnu à ce jour"
    NONE = "none", "Pas de médecin traitant"


class Relationship(models.TextChoices):
    SPOUSE = "spouse", "Conjoint·e"
    CHILD = "child", "Enfant"
    PARENT = "parent", "Parent"
    SIBLING = "sibling", "Frère ou sœur"
    GRANDCHILD = "grandchild", "Petit-enfant"
    OTHER_FAMILY = "other_family", "Autre membre de la famille"
    FRIEND = "friend", "Ami·e, voisin·e"
    GUARDIAN = "guardian", "Mandataire judiciaire"
    OTHER = "other", "Autre"


class LegalMeasure(models.TextChoices):
    NONE = "", "Aucune"
    PARENTAL_AUTHORITY = "parental_authority", "Autorité parentale"
    GUARDIANSHIP = "guardianship", "Tutelle"
    CURATORSHIP = "curatorship", "Curatelle"
    FAMILY_AUTHORISATION = "family_authorisation", "Habilitation familiale"
    FUTURE_MANDATE = "future_mandate", "Mandat de protection future"
    JUDICIAL_SAFEGUARD = "judicial_safeguard", "Sauvegarde de justice"
