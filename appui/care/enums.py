from django.db import models


class EpisodeKind(models.TextChoices):
    COORDINATION = "coordination", "Accompagnement (coordination renforcée)"
    CASE_MANAGEMENT = "case_management", "Gestion de cas"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "En cours"
    CLOSED = "closed", "Clôturé"
