"""The person's data export (right of access, RGPD art. 15): a ZIP with a readable PDF summary
(`resume.pdf`) and everything held about the person as JSON (`donnees.json`).

Everything held: each table of personal data linked to the person (`TABLES`: persons, intake,
care, circle — archived episodes included), the events of those rows (PPCS versions' included) and
the person's access log. A test checks that every personal-data model is listed here.

The export obeys the exporter's categories (`core.sharing.access`): each row, or each field of a
row, belongs to a category (docs/permissions.md, "Ce que contient chaque catégorie"); what the
exporter may not see is left out, and both the JSON and the summary name the missing categories.

`donnees.json` (format `appui.export-personne`, version 1):

- `format`, `version`, `generated_at` (ISO 8601), `exported_by` {`name`, `role`, `organisation`},
  `person_id`, `categories` {`included`, `missing`} (codes of SensitivityCategory);
- `tables`: {"app.model": {`label`, `fields` {name: French label}, `rows` [...]}} — one object per
  row, keyed by the model's field names (foreign keys as `<name>_id`), dates in ISO 8601;
- `events`: the state changes of the exported rows (`at`, `actor`, `role`, `subject_type`,
  `subject_id`, `verb`, `label`, `data`);
- `access_log`: every access to the person's data (`at`, `user_id`, `user`, `role`,
  `organisation_id`, `action`, `object_type`, `object_id`, `fields`).

Queries: one per table, one for the events, one for the access log, one per kind of related
record named in the summary — never one per row.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from appui.core import audit, sharing
from appui.core.enums import AccessAction, Role, SensitivityCategory
from appui.core.models import AccessLog, Event, PersonalDataModel
from appui.core.permissions import require

C = SensitivityCategory
ADM, SOC, AUT, MED, PSY, PLAN = (
    C.ADMINISTRATIVE,
    C.SOCIAL,
    C.AUTONOMY,
    C.MEDICAL,
    C.PSYCHOLOGICAL,
    C.PLAN,
)

#: The category of each assessment domain (and of needs, by their domain). A domain a DAC adds to
#: its own grid with another code counts as medical: the strictest reading.
DOMAIN_CATEGORIES = {
    "health": MED,
    "cognition": MED,
    "autonomy": AUT,
    "psychological": PSY,
    "carers": SOC,
    "housing": SOC,
    "rights": SOC,
    "social_life": SOC,
}
FORM_KIND_CATEGORIES = {"aggir": AUT, "screening": MED}


def domain_category(domain: str) -> str:
    return DOMAIN_CATEGORIES.get(domain, MED)


@dataclass(frozen=True)
class Table:
    label: str  # "app.model"
    lookup: str  # from the model to the person's id
    category: str | None = ADM
    #: Fields of another category than the row's.
    fields: dict = field(default_factory=dict)
    #: The row's category read from the row itself (a need's domain, a note's category).
    row_category: Callable[[dict], str] | None = None


# Order = the summary's order.
TABLES: list[Table] = [
    Table("persons.person", "pk"),
    Table("persons.identitycheck", "person"),
    Table("persons.carer", "person"),
    Table("intake.supportrequest", "person"),
    Table("intake.complexityscreening", "person", MED),
    Table("intake.requestresponse", "request__person"),
    Table("intake.gpinformation", "request__person"),
    Table("intake.contactlog", "person", SOC),
    Table("care.careepisode", "person"),
    Table("care.consent", "episode__person"),
    Table("care.levelchange", "episode__person"),
    Table("care.assessment", "episode__person", None),  # by question's domain, see _assessment
    Table(
        "care.need",
        "episode__person",
        None,
        row_category=lambda row: domain_category(row["domain"]),
    ),
    Table("care.careplan", "episode__person", PLAN),
    Table("care.careplanversion", "plan__episode__person", PLAN),
    Table("care.goal", "plan_version__plan__episode__person", PLAN),
    Table("care.action", "plan_version__plan__episode__person", PLAN),
    Table("care.meetingsituation", "episode__person", PLAN),
    Table("care.homevisit", "episode__person"),
    Table("care.hospitalstay", "episode__person", MED),
    Table("care.dischargetask", "stay__episode__person", MED),
    Table("care.adverseevent", "episode__person", MED),
    Table("care.alert", "episode__person"),
    Table("circle.carecircle", "person"),
    Table("circle.carecirclemember", "circle__person"),
    Table("circle.objection", "person"),
    Table("circle.emergencyaccess", "person"),
    Table("circle.liaisonnote", "person", None, row_category=lambda row: row["category"]),
    Table("circle.attachment", "note__person", None, row_category=lambda row: row["_category"]),
    # Services the DAC paid for the person: a psychologist's sessions say something of their
    # psychological care, the others of their health care.
    Table(
        "reporting.derogatoryservice",
        "person",
        None,
        row_category=lambda row: PSY if row["kind"] == "psychologist" else MED,
    ),
]

#: Personal-data models that are not about a person (accounts, professionals).
NOT_ABOUT_A_PERSON = {"accounts.user", "territory.professional", "territory.practiceplace"}

#: Technical fields left out of the export (they describe the software, not the person).
SKIPPED_FIELDS = {"lock_version", "token_hash", "birth_name_key", "used_name_key", "sha256"}


def personal_data_models() -> set[str]:
    return {
        m._meta.label_lower
        for m in apps.get_models()
        if issubclass(m, PersonalDataModel) and m._meta.label_lower not in NOT_ABOUT_A_PERSON
    }


def _value(f, instance):
    value = f.value_from_object(instance)
    if isinstance(value, memoryview | bytes):
        return None
    if isinstance(f, models.FileField):
        return value.name if value else ""
    return value


@dataclass
class Collected:
    table: Table
    model: type
    instances: list
    rows: list[dict]


def _rows(table: Table, person) -> tuple[type, list]:
    model = apps.get_model(table.label)
    queryset = model._base_manager.filter(**{table.lookup: person.pk}).order_by("pk")
    if table.label == "circle.attachment":
        queryset = queryset.select_related("note")
    return model, list(queryset)


def _row_dict(model, instance) -> dict:
    row = {}
    for f in model._meta.concrete_fields:
        if f.attname in SKIPPED_FIELDS:
            continue
        row[f.attname] = _value(f, instance)
    return row


def _assessment(row: dict, form, allowed: frozenset) -> dict | None:
    """An assessment as far as the exporter may see it: the answers of the domains they may
    see; the result and synthesis only when every domain of the grid is theirs."""
    definition = form.definition if form else {}
    kind_category = FORM_KIND_CATEGORIES.get(form.kind) if form else None
    domains = {}
    for domain in definition.get("domains", []):
        category = kind_category or domain_category(domain.get("code", ""))
        for question in domain.get("questions", []):
            domains[question["code"]] = category
    categories = set(domains.values()) or {kind_category or MED}
    if not categories & allowed:
        return None
    row = dict(row)
    row["answers"] = {
        code: value
        for code, value in (row.get("answers") or {}).items()
        if domains.get(code, kind_category or MED) in allowed
    }
    if not categories <= allowed:
        row["result"], row["gir"], row["summary"] = {}, None, ""
        row["partial"] = True
    return row


def collect(person, allowed: frozenset) -> list[Collected]:
    """Every table's rows the exporter may see (fields of other categories removed)."""
    collected = []
    forms = {}
    for table in TABLES:
        model, instances = _rows(table, person)
        if table.label == "care.assessment" and instances:
            from appui.care.models import AssessmentForm

            forms = AssessmentForm.objects.in_bulk({i.form_id for i in instances})
        kept_instances, rows = [], []
        for instance in instances:
            row = _row_dict(model, instance)
            if table.label == "circle.attachment":
                row["_category"] = instance.note.category
            if table.label == "care.assessment":
                row = _assessment(row, forms.get(instance.form_id), allowed)
                if row is None:
                    continue
            else:
                category = table.row_category(row) if table.row_category else table.category
                if category not in allowed:
                    continue
            for name, category in table.fields.items():
                if category not in allowed:
                    row.pop(name, None)
            row.pop("_category", None)
            kept_instances.append(instance)
            rows.append(row)
        collected.append(Collected(table, model, kept_instances, rows))
    return collected


def _events(collected: list[Collected]) -> list[dict]:
    conditions = [
        Q(subject_type=c.table.label, subject_id__in=[str(r["id"]) for r in c.rows])
        for c in collected
        if c.rows
    ]
    if not conditions:
        return []
    return [
        {
            "at": e.at,
            "actor": e.actor_label,
            "role": e.role,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "verb": e.verb,
            "label": e.verb_label,
            "data": e.data,
        }
        for e in Event.objects.filter(reduce(or_, conditions)).order_by("at", "id")
    ]


def _access_log(person) -> list[dict]:
    return list(
        AccessLog.objects.filter(person_id=person.pk)
        .order_by("at", "id")
        .values(
            "at",
            "user_id",
            "user_label",
            "role",
            "organisation_id",
            "action",
            "object_type",
            "object_id",
            "fields",
        )
    )


# --- The readable summary -----------------------------------------------------------------------

HIDDEN_IN_SUMMARY = {"id", "created_by_id", "updated_by_id", "deleted_by_id", "updated_at"}

#: French labels of the links whose field has no verbose name of its own.
LINK_LABELS = {
    "person": "Personne",
    "user": "Compte",
    "dac": "DAC",
    "episode": "Accompagnement",
    "organisation": "Structure",
    "plan": "PPCS",
    "plan_version": "Version du PPCS",
    "circle": "Cercle de soins",
    "note": "Note du cahier de liaison",
    "request": "Demande",
    "stay": "Hospitalisation",
    "meeting": "Concertation",
    "goal": "Objectif",
    "form": "Grille",
}
ROLE_LABELS = dict(Role.choices)


def _label(f) -> str:
    if f.is_relation and str(f.verbose_name) == f.name.replace("_", " "):
        return LINK_LABELS.get(f.name, str(f.verbose_name).capitalize())
    return str(f.verbose_name).capitalize()


def _display(f, instance, names) -> str:
    value = getattr(instance, f.attname)
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.name == "role" and value in ROLE_LABELS:
        return str(ROLE_LABELS[value])
    if f.is_relation:
        return names.get((f.related_model._meta.label_lower, value), f"n° {value}")
    if isinstance(f, models.BooleanField):
        return "oui" if value else "non"
    if isinstance(f, models.DateTimeField):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(f, models.DateField):
        return value.strftime("%d/%m/%Y")
    if isinstance(f, models.FileField):
        return ""
    if isinstance(f, models.JSONField):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return ""  # structured answers are shown by _readable_assessment
    return str(value)


def _names(collected: list[Collected]) -> dict:
    """The label of every record a row points to: one query per kind of record."""
    wanted = defaultdict(set)
    for c in collected:
        for f in c.model._meta.concrete_fields:
            if f.is_relation and f.attname not in HIDDEN_IN_SUMMARY:
                for instance in c.instances:
                    value = getattr(instance, f.attname)
                    if value is not None:
                        wanted[f.related_model].add(value)
    names = {}
    for model, ids in wanted.items():
        for pk, obj in model._base_manager.in_bulk(ids).items():
            names[(model._meta.label_lower, pk)] = str(obj)
    return names


def _readable_assessment(instance, row, form) -> list[dict]:
    from appui.care.assessments import readable

    if form is None:
        return []
    domains = readable(form.definition, row.get("answers") or {})
    return [
        {"label": d["label"], "rows": [r for r in d["rows"] if r["answer"]]}
        for d in domains
        if any(r["answer"] for r in d["rows"])
    ]


def summary_sections(collected: list[Collected]) -> list[dict]:
    names = _names(collected)
    forms = {}
    assessments = next(c for c in collected if c.table.label == "care.assessment")
    if assessments.instances:
        from appui.care.models import AssessmentForm

        forms = AssessmentForm.objects.in_bulk({i.form_id for i in assessments.instances})
    sections = []
    for c in collected:
        if not c.rows:
            continue
        shown = [
            f
            for f in c.model._meta.concrete_fields
            if f.attname not in HIDDEN_IN_SUMMARY and f.attname not in SKIPPED_FIELDS
        ]
        items = []
        for instance, row in zip(c.instances, c.rows, strict=True):
            pairs = []
            for f in shown:
                if f.attname not in row:
                    continue
                text = _display(f, instance, names)
                if text:
                    pairs.append((_label(f), text))
            item = {"title": f"{c.model._meta.verbose_name.capitalize()} n° {instance.pk}"}
            item["pairs"] = pairs
            item["domains"], item["partial"] = [], False
            if c.table.label == "care.assessment":
                item["domains"] = _readable_assessment(instance, row, forms.get(instance.form_id))
                item["partial"] = row.get("partial", False)
            items.append(item)
        sections.append(
            {"title": str(c.model._meta.verbose_name_plural).capitalize(), "items": items}
        )
    return sections


# --- The export ---------------------------------------------------------------------------------


def build_person_export(person, membership) -> bytes:
    """The ZIP of everything about `person` the membership may see; the export is logged."""
    from .rights import describe

    require(membership, "person", "export", person)
    access = sharing.access(membership, person)
    allowed = frozenset(access.categories)
    missing = [c for c in C if c not in allowed]
    collected = collect(person, allowed)
    log_rows = _access_log(person) if ADM in allowed else []
    from appui.accounts.models import User

    names = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in={r["user_id"] for r in log_rows if r["user_id"]})
    }
    for row in log_rows:
        label = row.pop("user_label")
        row["user"] = names.get(row["user_id"]) or label
    generated_at = timezone.now()
    organisation = membership.organisation
    payload = {
        "format": "appui.export-personne",
        "version": 1,
        "generated_at": generated_at,
        "exported_by": {
            "name": str(membership.user),
            "role": membership.role,
            "organisation": organisation.name,
        },
        "person_id": person.pk,
        "categories": {"included": sorted(allowed), "missing": missing},
        "tables": {
            c.table.label: {
                "label": str(c.model._meta.verbose_name_plural),
                "fields": {
                    f.attname: str(f.verbose_name)
                    for f in c.model._meta.concrete_fields
                    if f.attname not in SKIPPED_FIELDS
                },
                "rows": c.rows,
            }
            for c in collected
        },
        "events": _events(collected),
        "access_log": log_rows,
    }
    from appui.care.plan_pdf import _fonts

    described = (
        describe(AccessLog.objects.filter(person_id=person.pk).order_by("at", "id"), person)
        if ADM in allowed
        else []
    )
    html = render_to_string(
        "circle/rights/export_summary_pdf.html",
        {
            "person": person,
            "dac": person.dac,
            "generated_at": timezone.localtime(generated_at),
            "exported_by": membership.user,
            "role": dict(Role.choices).get(membership.role, membership.role),
            "organisation": organisation,
            "missing": [C(c).label for c in missing],
            "sections": summary_sections(collected),
            "log": described,
            "fonts": _fonts(),
        },
    )
    import weasyprint

    pdf = weasyprint.HTML(string=html).write_pdf()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("resume.pdf", pdf)
        archive.writestr(
            "donnees.json",
            json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
    audit.record(person, AccessAction.EXPORT, ["export"])
    return buffer.getvalue()


def filename(person) -> str:
    name = slugify(f"{person.used_name or person.birth_name} {person.first_name}")
    return f"donnees-{name}-{timezone.localdate():%Y%m%d}.zip"
