"""The access log mechanism: every read and write of personal data, with who, role and place.

Reads are caught where no view can forget them: in `PersonalDataModel.from_db`, which Django calls
for every row it turns into an object (querysets, related objects, prefetching, the admin). They
are gathered in the current *audit context* and written in one bulk insert when the request ends.
Writes are logged at once, in the same transaction as the change, so a rolled-back change leaves no
log row and a committed one always has its row.

The context is opened by `AuditMiddleware` for web requests and by `audit_context()` for commands.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field

from .enums import AccessAction

_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "appui_audit_context", default=None
)


@dataclass
class AuditContext:
    user_id: int | None = None
    user_label: str = ""
    #: How events name the actor (their full name; the access log keeps the login in user_label).
    user_name: str = ""
    role: str = ""
    organisation_id: int | None = None
    path: str = ""
    view_name: str = ""
    ip: str | None = None
    reads: dict[tuple[str, str], dict] = field(default_factory=dict)

    def actor_kwargs(self) -> dict:
        return {
            "user_id": self.user_id,
            "user_label": self.user_label,
            "role": self.role,
            "organisation_id": self.organisation_id,
            "path": self.path[:500],
            "view_name": self.view_name[:200],
            "ip": self.ip,
        }


def current() -> AuditContext | None:
    return _current.get()


@contextmanager
def audit_context(**kwargs):
    """Open an audit context (a command, a task, a test); pending reads are written on exit."""
    context = AuditContext(**kwargs)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
        flush(context)


def activate(context: AuditContext):
    return _current.set(context)


def deactivate(token) -> None:
    _current.reset(token)


def object_type(instance) -> str:
    return instance._meta.label_lower


def record_read(instance, fields=None) -> None:
    context = current()
    if context is None or instance.pk is None:
        return
    key = (object_type(instance), str(instance.pk))
    entry = context.reads.get(key)
    if entry is None:
        # A row reached through another (an answer → its request → the person) names its path
        # in `audit_person_lookup`: the person is then found for all such rows at once, on flush,
        # instead of one query per row read.
        lookup = getattr(type(instance), "audit_person_lookup", None)
        context.reads[key] = {
            "person_id": None if lookup else instance.audit_person_id(),
            "lookup": lookup,
            "fields": sorted(fields or []),
        }
    elif fields:
        entry["fields"] = sorted(set(entry["fields"]) | set(fields))


def record(instance, action: str, fields=None) -> None:
    """Write one access-log row now (writes, exports, prints)."""
    record_many([instance], action, fields)


def record_write(instance, created: bool, fields=None) -> None:
    record(instance, AccessAction.CREATE if created else AccessAction.UPDATE, fields)


def _resolve_person_ids(reads: dict) -> None:
    """One query per model whose rows name the person through `audit_person_lookup`."""
    from django.apps import apps

    pending: dict[tuple[str, str], list[str]] = {}
    for (object_type_, object_id), entry in reads.items():
        if entry.get("lookup"):
            pending.setdefault((object_type_, entry["lookup"]), []).append(object_id)
    for (object_type_, lookup), ids in pending.items():
        model = apps.get_model(object_type_)
        found = dict(model._base_manager.filter(pk__in=ids).values_list("pk", lookup))
        for object_id in ids:
            person_id = found.get(model._meta.pk.to_python(object_id))
            reads[(object_type_, object_id)]["person_id"] = person_id


def flush(context: AuditContext) -> None:
    if not context.reads:
        return
    from .models import AccessLog

    _resolve_person_ids(context.reads)
    actor = context.actor_kwargs()
    rows = [
        AccessLog(
            action=AccessAction.READ,
            object_type=object_type_,
            object_id=object_id,
            person_id=entry["person_id"],
            fields=entry["fields"],
            **actor,
        )
        for (object_type_, object_id), entry in context.reads.items()
    ]
    context.reads = {}
    AccessLog.objects.bulk_create(rows, batch_size=500)


def record_many(instances, action: str, fields=None) -> None:
    """Write one access-log row per instance in a single bulk insert (imports, bulk writes).

    Same rows as `record()`. `fields` is a list applied to every instance, or a callable giving
    the list for one instance (e.g. the fields an update changed).
    """
    from .models import AccessLog

    actor = (current() or AuditContext()).actor_kwargs()
    rows = [
        AccessLog(
            action=action,
            object_type=object_type(instance),
            object_id=str(instance.pk),
            person_id=instance.audit_person_id(),
            fields=sorted((fields(instance) if callable(fields) else fields) or []),
            **actor,
        )
        for instance in instances
    ]
    AccessLog.objects.bulk_create(rows, batch_size=500)
