"""The permissions matrix: role × object × action, enforced here and nowhere else.

`docs/permissions.md` is the human-readable copy; `tests/core/test_permissions_matrix.py` checks
both cell by cell. A cell is one of:

- ``oui``    allowed on every object of that kind the user's organisation works with;
- ``non``    refused;
- ``org``    allowed only on objects belonging to the user's active organisation;
- ``soi``    allowed only on the user's own objects (their professional record, their requests);
- ``cercle`` allowed only on persons whose care circle the user currently belongs to.

Scoped cells (``org``, ``soi``, ``cercle``) need the object (or a queryset) to decide. Each app
registers, for its objects, how a scope filters a queryset (`register_scope`) — the rule stays here,
the knowledge of the model's relations stays in the app that owns the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .enums import Role

YES, NO, ORG, OWN, CIRCLE = "oui", "non", "org", "soi", "cercle"
CELL_VALUES = (YES, NO, ORG, OWN, CIRCLE)

R = Role
ROLES = list(Role)


@dataclass(frozen=True)
class ObjectKind:
    code: str
    label: str
    actions: tuple[str, ...]


OBJECTS: dict[str, ObjectKind] = {
    o.code: o
    for o in [
        ObjectKind("support_request", "Demande d'appui", ("list", "view", "create", "change")),
        ObjectKind(
            "person",
            "Personne accompagnée",
            ("list", "view", "create", "change", "merge", "export"),
        ),
        ObjectKind(
            "care",
            "Accompagnement (dossier, évaluations, concertations, PPCS, suivi, alertes)",
            ("list", "view", "create", "change", "validate"),
        ),
        ObjectKind(
            "care_circle", "Cercle de soins et oppositions de la personne", ("view", "change")
        ),
        ObjectKind("liaison_note", "Cahier de liaison", ("list", "create")),
        ObjectKind("emergency_access", "Accès en urgence (bris de glace)", ("create", "list")),
        ObjectKind("sharing_settings", "Règles de partage par profil", ("change",)),
        ObjectKind("assessment_form", "Grilles d'évaluation du DAC", ("change",)),
        ObjectKind("care_settings", "Réglages du suivi (seuils des alertes)", ("change",)),
        ObjectKind("caseload", "Files actives de l'équipe", ("view",)),
        ObjectKind("intake_settings", "Réglages de l'accueil (motifs, délais)", ("change",)),
        ObjectKind(
            "directory",
            "Répertoire (structures et services)",
            ("list", "view", "create", "change", "import"),
        ),
        ObjectKind("unmet_need", "Besoin non couvert", ("list", "create")),
        ObjectKind("professional", "Professionnel·le", ("list", "view", "create", "change")),
        ObjectKind("territory", "Territoire et communes", ("view", "import")),
        ObjectKind("indicator", "Indicateurs du DAC", ("view", "export")),
        ObjectKind("regional_indicator", "Indicateurs régionaux agrégés", ("view",)),
        ObjectKind(
            "derogatory_service", "Prestations dérogatoires et budget", ("list", "create", "change")
        ),
        ObjectKind("activity_report", "Rapport d'activité", ("view", "change")),
        ObjectKind("contract", "CPOM et revue annuelle", ("view", "change")),
        ObjectKind("quality_assessment", "Auto-évaluation qualité (ISQ)", ("view", "change")),
        ObjectKind("coverage", "Cartographie des structures de coordination", ("view", "change")),
        ObjectKind("access_log", "Journal des accès", ("list", "export")),
        ObjectKind("account", "Comptes et rôles", ("list", "view", "create", "change")),
    ]
}


def _row(assistant, coordinator, case_manager, physician, director, partner, pilot, admin):
    return {
        R.ASSISTANT: assistant,
        R.COORDINATOR: coordinator,
        R.CASE_MANAGER: case_manager,
        R.SUPPORT_PHYSICIAN: physician,
        R.DIRECTOR: director,
        R.PARTNER: partner,
        R.REGIONAL_PILOT: pilot,
        R.ADMIN: admin,
    }


# fmt: off
#            assistant coordinator case_mgr physician director partner pilot admin
MATRIX: dict[tuple[str, str], dict[Role, str]] = {
    ("support_request", "list"):   _row(ORG, ORG, ORG, ORG, ORG, OWN, NO, NO),
    ("support_request", "view"):   _row(ORG, ORG, ORG, ORG, ORG, OWN, NO, NO),
    ("support_request", "create"): _row(ORG, ORG, ORG, ORG, ORG, YES, NO, NO),
    ("support_request", "change"): _row(ORG, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("person", "list"):            _row(ORG, ORG, ORG, ORG, ORG, CIRCLE, NO, NO),
    ("person", "view"):            _row(ORG, ORG, ORG, ORG, ORG, CIRCLE, NO, NO),
    ("person", "create"):          _row(ORG, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("person", "change"):          _row(ORG, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("person", "merge"):           _row(NO, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("person", "export"):          _row(NO, ORG, ORG, NO, ORG, NO, NO, NO),
    ("care", "list"):              _row(ORG, ORG, ORG, ORG, ORG, CIRCLE, NO, NO),
    ("care", "view"):              _row(ORG, ORG, ORG, ORG, ORG, CIRCLE, NO, NO),
    ("care", "create"):            _row(NO, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("care", "change"):            _row(NO, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("care", "validate"):          _row(NO, ORG, ORG, ORG, ORG, CIRCLE, NO, NO),
    ("care_circle", "view"):       _row(ORG, ORG, ORG, ORG, ORG, CIRCLE, NO, NO),
    ("care_circle", "change"):     _row(NO, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("liaison_note", "list"):      _row(ORG, ORG, ORG, ORG, ORG, CIRCLE, NO, NO),
    ("liaison_note", "create"):    _row(ORG, ORG, ORG, ORG, ORG, CIRCLE, NO, NO),
    ("emergency_access", "create"): _row(NO, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("emergency_access", "list"):  _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("sharing_settings", "change"): _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("assessment_form", "change"): _row(NO, NO, NO, ORG, ORG, NO, NO, NO),
    ("care_settings", "change"):   _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("caseload", "view"):          _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("intake_settings", "change"): _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("directory", "list"):         _row(YES, YES, YES, YES, YES, YES, YES, YES),
    ("directory", "view"):         _row(YES, YES, YES, YES, YES, YES, YES, YES),
    ("directory", "create"):       _row(YES, YES, YES, NO, YES, ORG, NO, YES),
    ("directory", "change"):       _row(YES, YES, YES, NO, YES, ORG, NO, YES),
    ("directory", "import"):       _row(NO, NO, NO, NO, YES, NO, NO, YES),
    ("unmet_need", "list"):        _row(ORG, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("unmet_need", "create"):      _row(ORG, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("professional", "list"):      _row(YES, YES, YES, YES, YES, YES, NO, YES),
    ("professional", "view"):      _row(YES, YES, YES, YES, YES, YES, NO, YES),
    ("professional", "create"):    _row(YES, YES, YES, NO, YES, NO, NO, YES),
    ("professional", "change"):    _row(YES, YES, YES, NO, YES, OWN, NO, YES),
    ("territory", "view"):         _row(YES, YES, YES, YES, YES, YES, YES, YES),
    ("territory", "import"):       _row(NO, NO, NO, NO, NO, NO, NO, YES),
    ("indicator", "view"):         _row(NO, YES, YES, YES, YES, NO, NO, NO),
    ("indicator", "export"):       _row(NO, NO, NO, NO, YES, NO, NO, NO),
    ("regional_indicator", "view"): _row(NO, NO, NO, NO, NO, NO, YES, NO),
    ("derogatory_service", "list"): _row(NO, ORG, ORG, ORG, ORG, NO, NO, NO),
    ("derogatory_service", "create"): _row(NO, ORG, ORG, NO, ORG, NO, NO, NO),
    ("derogatory_service", "change"): _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("activity_report", "view"):   _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("activity_report", "change"): _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("contract", "view"):          _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("contract", "change"):        _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("quality_assessment", "view"): _row(NO, NO, NO, ORG, ORG, NO, NO, NO),
    ("quality_assessment", "change"): _row(NO, NO, NO, NO, ORG, NO, NO, NO),
    ("coverage", "view"):          _row(NO, YES, YES, YES, YES, NO, YES, YES),
    ("coverage", "change"):        _row(NO, NO, NO, NO, NO, NO, YES, YES),
    ("access_log", "list"):        _row(NO, NO, NO, NO, YES, NO, NO, YES),
    ("access_log", "export"):      _row(NO, NO, NO, NO, YES, NO, NO, NO),
    ("account", "list"):           _row(NO, NO, NO, NO, ORG, NO, NO, YES),
    ("account", "view"):           _row(NO, NO, NO, NO, ORG, NO, NO, YES),
    ("account", "create"):         _row(NO, NO, NO, NO, NO, NO, NO, YES),
    ("account", "change"):         _row(NO, NO, NO, NO, NO, NO, NO, YES),
}
# fmt: on


def cell(role: str | None, obj: str, action: str) -> str:
    """The matrix value for a role; an unknown role, object or action is refused."""
    if role is None:
        return NO
    try:
        return MATRIX[(obj, action)][Role(role)]
    except (KeyError, ValueError):
        return NO


# A scope filter narrows a queryset of `obj` to what the membership may reach under a scoped cell.
ScopeFilter = Callable[[QuerySet, object, str], QuerySet]
_SCOPES: dict[str, ScopeFilter] = {}


def register_scope(obj: str, scope_filter: ScopeFilter) -> None:
    _SCOPES[obj] = scope_filter


def can(membership, obj: str, action: str, instance=None) -> bool:
    """Whether the active membership may do `action` on `obj` (and on `instance` if given)."""
    value = cell(getattr(membership, "role", None), obj, action)
    if value == NO:
        return False
    if value == YES or instance is None:
        # Without an instance a scoped cell answers "possibly": lists are narrowed by `scope`.
        return True
    scoped = scope(membership, obj, action, type(instance)._default_manager.filter(pk=instance.pk))
    return scoped.exists()


def scope(membership, obj: str, action: str, queryset: QuerySet) -> QuerySet:
    """The part of `queryset` the membership may reach; every list of protected objects uses it."""
    value = cell(getattr(membership, "role", None), obj, action)
    if value == YES:
        return queryset
    if value == NO:
        return queryset.none()
    scope_filter = _SCOPES.get(obj)
    if scope_filter is None:
        return queryset.none()
    return scope_filter(queryset, membership, value)


def require(membership, obj: str, action: str, instance=None) -> None:
    if not can(membership, obj, action, instance):
        raise PermissionDenied
