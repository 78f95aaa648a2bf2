"""Optimistic locking: two people editing the same record, the second save is refused.

A model with a `lock_version` integer field is saved through `save_locked`: the row is updated
only if its `lock_version` is still the one the editor's form was built from; otherwise
`StaleEdit` is raised and the view shows the form again, with the user's input kept.
"""

from django.core.exceptions import ValidationError

STALE_MESSAGE = (
    "Quelqu'un d'autre a enregistré ce document pendant que vous le modifiiez. Votre saisie est "
    "conservée ci-dessous : rechargez la page dans un autre onglet pour voir la version "
    "enregistrée, puis reportez vos modifications."
)


class StaleEdit(ValidationError):
    def __init__(self, message: str = STALE_MESSAGE):
        super().__init__(message, code="stale")


def save_locked(instance, expected_version: int, update_fields: list[str] | None = None) -> None:
    """Save `instance` if the stored row still has `expected_version`, and bump the version.

    Call inside a transaction; the row is locked (`select_for_update`) so two concurrent saves
    cannot both pass the check.
    """
    model = type(instance)
    current = (
        model._base_manager.select_for_update()
        .filter(pk=instance.pk)
        .values_list("lock_version", flat=True)
        .first()
    )
    if current is None or int(current) != int(expected_version):
        raise StaleEdit()
    instance.lock_version = int(expected_version) + 1
    if update_fields is not None:
        update_fields = sorted({*update_fields, "lock_version", "updated_at", "updated_by"})
    instance.save(update_fields=update_fields)
