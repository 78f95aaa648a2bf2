"""Merging a duplicate record into the one kept, and undoing it.

Each app that points to a person registers the relations that follow the person when two records
are merged (`register_person_relation`, from its own `AppConfig.ready()`): a request, a contact, a
care episode about the duplicate then belong to the record kept. The rows moved are listed in the
`PersonMerge` row, so that undoing the merge puts back exactly those rows and no other.

What is not registered stays with its record: the identity checks of the duplicate remain its own
history, and the duplicate itself is kept (marked `merged_into`), never deleted.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appui.core.models import record_event
from appui.core.permissions import require

from .models import Person, PersonMerge

_RELATIONS: dict[str, tuple[type, str]] = {}


def relation_key(model, field_name: str) -> str:
    return f"{model._meta.label_lower}:{field_name}"


def register_person_relation(model, field_name: str) -> None:
    """Rows of `model` whose `field_name` points to the duplicate move to the record kept."""
    field = model._meta.get_field(field_name)
    if field.related_model is not Person:
        raise ValueError(f"{relation_key(model, field_name)} ne désigne pas une personne.")
    _RELATIONS[relation_key(model, field_name)] = (model, field_name)


def registered_relations() -> dict[str, tuple[type, str]]:
    return dict(_RELATIONS)


def _rows(model, field_name: str, person_id: int, pks=None):
    # Archived rows move too: they are part of the person's history.
    queryset = model._base_manager.filter(**{f"{field_name}_id": person_id})
    if pks is not None:
        queryset = queryset.filter(pk__in=pks)
    return queryset.order_by("pk")


def _move(model, field_name: str, rows, to_person_id: int) -> list[int]:
    """Re-point each row (saved one by one, so personal-data rows reach the access log)."""
    moved = []
    attname = model._meta.get_field(field_name).attname
    for row in rows:
        setattr(row, attname, to_person_id)
        row.save(update_fields=[attname])
        moved.append(row.pk)
    return moved


def check_mergeable(kept: Person, merged: Person) -> None:
    if kept.pk == merged.pk:
        raise ValidationError("Choisissez deux dossiers différents.")
    if kept.dac_id != merged.dac_id:
        raise ValidationError("Les deux dossiers n'appartiennent pas au même DAC.")
    if kept.merged_into_id or merged.merged_into_id:
        raise ValidationError("L'un des deux dossiers est déjà fusionné dans un autre.")


@transaction.atomic
def merge_persons(membership, kept: Person, merged: Person, reason: str) -> PersonMerge:
    """Merge the duplicate `merged` into `kept`: its registered rows move, it stays, marked."""
    require(membership, "person", "merge", kept)
    require(membership, "person", "merge", merged)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la fusion."})
    # Lock both records in a fixed order: two people merging the same pair wait for each other.
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(pk__in=[kept.pk, merged.pk])
        .order_by("pk")
    }
    kept, merged = locked[kept.pk], locked[merged.pk]
    check_mergeable(kept, merged)
    moved = {}
    for key, (model, field_name) in sorted(_RELATIONS.items()):
        ids = _move(model, field_name, _rows(model, field_name, merged.pk), kept.pk)
        if ids:
            moved[key] = ids
    merge = PersonMerge.objects.create(
        kept=kept, merged=merged, reason=reason, moved=moved, by_id=membership.user_id
    )
    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated_at", "updated_by"])
    counts = {key: len(ids) for key, ids in moved.items()}
    record_event(
        kept, "merge_absorbed", merge=merge.pk, merged=merged.pk, moved=counts, reason=reason
    )
    record_event(merged, "merged_into", merge=merge.pk, kept=kept.pk, moved=counts, reason=reason)
    return merge


@transaction.atomic
def undo_merge(membership, merge: PersonMerge, reason: str) -> PersonMerge:
    """Put back exactly the rows the merge moved (those still on the kept record)."""
    merge = (
        PersonMerge.objects.select_for_update().select_related("kept", "merged").get(pk=merge.pk)
    )
    kept, merged = merge.kept, merge.merged
    require(membership, "person", "merge", kept)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    if merge.undone_at:
        raise ValidationError("Cette fusion est déjà annulée.")
    if kept.merged_into_id:
        raise ValidationError(
            "Le dossier conservé a depuis été fusionné dans un autre : annulez d'abord cette "
            "seconde fusion."
        )
    if merged.merged_into_id != kept.pk:
        raise ValidationError("Le dossier fusionné ne pointe plus vers le dossier conservé.")
    returned = {}
    for key, ids in merge.moved.items():
        model_label, field_name = key.split(":")
        model = apps.get_model(model_label)
        back = _move(model, field_name, _rows(model, field_name, kept.pk, pks=ids), merged.pk)
        returned[key] = len(back)
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at", "updated_by"])
    merge.undone_at = timezone.now()
    merge.undone_by_id = membership.user_id
    merge.undo_reason = reason
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    record_event(
        kept, "merge_undone", merge=merge.pk, merged=merged.pk, returned=returned, reason=reason
    )
    record_event(
        merged, "merge_undone", merge=merge.pk, kept=kept.pk, returned=returned, reason=reason
    )
    return merge
