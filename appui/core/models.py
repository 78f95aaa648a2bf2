"""Shared kernel: base models (timestamps, authorship, soft delete), the event record, the access log."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from . import audit
from .enums import AccessAction


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("Ce journal est en ajout seul : une ligne ne se modifie pas.")

    def delete(self):
        raise ValidationError("Ce journal est en ajout seul : une ligne ne se supprime pas.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("Ce journal est en ajout seul : une ligne ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Ce journal est en ajout seul : une ligne ne se supprime pas.")


class TimeStampedModel(models.Model):
    """Who created and last changed a record, and when (taken from the audit context)."""

    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        context = audit.current()
        if context is not None and context.user_id:
            if self._state.adding and not self.created_by_id:
                self.created_by_id = context.user_id
            self.updated_by_id = context.user_id
        super().save(*args, **kwargs)


class SoftDeleteQuerySet(models.QuerySet):
    def delete(self):
        raise ValidationError("Suppression définitive interdite : archivez chaque enregistrement.")


class AliveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    """Clinical and administrative records are archived, never deleted."""

    deleted_at = models.DateTimeField("archivé le", null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AliveManager()
    all_objects = models.Manager.from_queryset(SoftDeleteQuerySet)()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        context = audit.current()
        self.deleted_at = timezone.now()
        self.deleted_by_id = context.user_id if context else None
        self.save(update_fields=["deleted_at", "deleted_by"])
        record_event(self, "archived")
        return (0, {})


class PersonalDataModel(models.Model):
    """A record holding personal data: every read and write goes to the access log.

    Reads are caught in `from_db` (every object Django builds from a row passes there), writes in
    `save`. `audit_person_id` ties the row to the person concerned, for "who accessed my file".
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        created = self._state.adding
        fields = self.changed_fields()
        super().save(*args, **kwargs)
        audit.record_write(self, created, fields)
        self._loaded_values = {
            f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
        }

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        audit.record_read(instance, field_names)
        instance._loaded_values = dict(zip(field_names, values, strict=False))
        return instance

    def audit_person_id(self) -> int | None:
        return None

    def changed_fields(self) -> list[str]:
        loaded = getattr(self, "_loaded_values", None)
        if loaded is None:
            return [f.attname for f in self._meta.concrete_fields]
        return [
            f.attname
            for f in self._meta.concrete_fields
            if f.attname in loaded and loaded[f.attname] != getattr(self, f.attname)
        ]


class Event(AppendOnlyModel):
    """A state change: who did what to which object, when, with the details (from → to…)."""

    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("par", max_length=255, blank=True)
    role = models.CharField("rôle", max_length=40, blank=True)
    organisation_id = models.BigIntegerField("organisation", null=True, blank=True)
    subject_type = models.CharField("objet", max_length=100)
    subject_id = models.CharField("identifiant", max_length=64)
    verb = models.CharField("événement", max_length=100)
    data = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        verbose_name = "événement"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self):
        return f"{self.verb} {self.subject_type}#{self.subject_id}"

    @property
    def verb_label(self) -> str:
        return VERB_LABELS.get(self.verb, self.verb)


#: French wording of the common event verbs (pages that show a history).
VERB_LABELS = {
    "created": "Création",
    "updated": "Modification",
    "archived": "Archivage",
    "verified": "Vérification des informations",
    "recorded": "Enregistrement",
    "imported": "Import",
    "import_refused": "Import refusé",
    "opened": "Ouverture",
    "taken_in_analysis": "Prise en analyse",
    "assigned": "Attribution",
    "screened": "Repérage de la complexité",
    "answered": "Réponse",
    "referral_decided": "Réponse de la structure (réorientation)",
    "closed": "Clôture",
    "agreement_recorded": "Accord de la personne",
    "person_attached": "Identification de la personne",
    "contact_logged": "Contact",
    "gp_informed": "Information du médecin traitant",
    "reasons_seeded": "Catalogue de motifs par défaut",
    "renamed": "Changement de libellé",
    "moved": "Changement d'ordre",
    "deactivated": "Désactivation",
    "reactivated": "Réactivation",
    "deleted": "Suppression",
    "thresholds_changed": "Changement des délais de réponse",
    "identity_changed": "Vérification de l'identité",
    "identity_downgraded": "Identité à vérifier de nouveau",
    "found_on_entry": "Dossier retrouvé à la saisie",
    "carer_added": "Ajout d'un proche",
    "carer_updated": "Modification d'un proche",
    "carer_archived": "Archivage d'un proche",
    "declared_distinct": "Déclaré distinct d'un autre dossier",
    "merge_absorbed": "Fusion d'un doublon dans ce dossier",
    "merged_into": "Fusion dans un autre dossier",
    "merge_undone": "Annulation d'une fusion",
    "indicators_exported": "Export des indicateurs",
    "derogatory_service_cancelled": "Annulation d'une prestation dérogatoire",
    "quality_assessment_completed": "Auto-évaluation qualité terminée",
}


def record_event(subject, verb: str, actor=None, **data) -> Event:
    context = audit.current()
    actor_id = actor.pk if actor is not None else (context.user_id if context else None)
    return Event.objects.create(
        actor_id=actor_id,
        actor_label=str(actor)
        if actor is not None
        else ((context.user_name or context.user_label) if context else ""),
        role=context.role if context else "",
        organisation_id=context.organisation_id if context else None,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        verb=verb,
        data=data,
    )


class AccessLog(AppendOnlyModel):
    """The journal des accès: one row per read or write of a personal-data record."""

    at = models.DateTimeField("le", default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user_label = models.CharField("utilisateur (libellé)", max_length=255, blank=True)
    role = models.CharField("rôle", max_length=40, blank=True)
    organisation_id = models.BigIntegerField("organisation", null=True, blank=True)
    action = models.CharField("action", max_length=20, choices=AccessAction.choices)
    object_type = models.CharField("type d'objet", max_length=100)
    object_id = models.CharField("identifiant", max_length=64)
    person_id = models.BigIntegerField("personne concernée", null=True, blank=True)
    fields = models.JSONField("champs", default=list, blank=True)
    path = models.CharField("adresse", max_length=500, blank=True)
    view_name = models.CharField("vue", max_length=200, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    class Meta:
        verbose_name = "accès"
        verbose_name_plural = "journal des accès"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at"], name="accesslog_at"),
            models.Index(fields=["object_type", "object_id", "-at"], name="accesslog_object"),
            models.Index(fields=["user", "-at"], name="accesslog_user"),
            models.Index(fields=["person_id", "-at"], name="accesslog_person"),
            models.Index(fields=["action", "-at"], name="accesslog_action"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.user_label} {self.get_action_display()}"
