from django.db import models


class Sector(models.TextChoices):
    HEALTH = "sanitaire", "Sanitaire"
    MEDICO_SOCIAL = "medico_social", "Médico-social"
    SOCIAL = "social", "Social"


class OrganisationKind(models.TextChoices):
    DAC = "dac", "Dispositif d'appui à la coordination (DAC)"
    HOSPITAL = "hospital", "Centre hospitalier"
    CLINIC = "clinic", "Clinique"
    HAD = "had", "Hospitalisation à domicile (HAD)"
    SSIAD = "ssiad", "Service de soins infirmiers à domicile (SSIAD)"
    SAAD = "saad", "Service d'aide et d'accompagnement à domicile (SAAD)"
    EHPAD = "ehpad", "EHPAD"
    MSP = "msp", "Maison de santé pluriprofessionnelle"
    CPTS = "cpts", "Communauté professionnelle territoriale de santé (CPTS)"
    CLIC = "clic", "Centre local d'information et de coordination (CLIC)"
    MDPH = "mdph", "Maison départementale des personnes handicapées (MDPH)"
    CCAS = "ccas", "Centre communal d'action sociale (CCAS)"
    DEPARTMENT_COUNCIL = "department_council", "Conseil départemental"
    COMMUNITY_360 = "community_360", "Communauté 360"
    PHARMACY = "pharmacy", "Pharmacie"
    PRACTICE = "practice", "Cabinet libéral"
    MOBILE_TEAM = "mobile_team", "Équipe mobile"
    SCHOOL = "school", "Établissement scolaire"
    ASSOCIATION = "association", "Association"
    ARS = "ars", "Agence régionale de santé (ARS)"
    OTHER = "other", "Autre structure"


SECTOR_BY_KIND = {
    OrganisationKind.DAC: Sector.HEALTH,
    OrganisationKind.HOSPITAL: Sector.HEALTH,
    OrganisationKind.CLINIC: Sector.HEALTH,
    OrganisationKind.HAD: Sector.HEALTH,
    OrganisationKind.SSIAD: Sector.MEDICO_SOCIAL,
    OrganisationKind.SAAD: Sector.MEDICO_SOCIAL,
    OrganisationKind.EHPAD: Sector.MEDICO_SOCIAL,
    OrganisationKind.MSP: Sector.HEALTH,
    OrganisationKind.CPTS: Sector.HEALTH,
    OrganisationKind.CLIC: Sector.SOCIAL,
    OrganisationKind.MDPH: Sector.MEDICO_SOCIAL,
    OrganisationKind.CCAS: Sector.SOCIAL,
    OrganisationKind.DEPARTMENT_COUNCIL: Sector.SOCIAL,
    OrganisationKind.COMMUNITY_360: Sector.MEDICO_SOCIAL,
    OrganisationKind.PHARMACY: Sector.HEALTH,
    OrganisationKind.PRACTICE: Sector.HEALTH,
    OrganisationKind.MOBILE_TEAM: Sector.HEALTH,
    OrganisationKind.SCHOOL: Sector.SOCIAL,
    OrganisationKind.ASSOCIATION: Sector.SOCIAL,
}


class Profession(models.TextChoices):
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
    OTHER = "other", "Autre profession"
