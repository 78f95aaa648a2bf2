"""The permissions matrix: docs/permissions.md and the code agree cell by cell, and the pages
that exist enforce each cell (allowed → 200, refused → 403, out of scope → 404)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from appui.core.enums import Role
from appui.core.permissions import CELL_VALUES, MATRIX, can
from tests.factories import MembershipFactory, OrganisationFactory, ProfessionalFactory, UserFactory

DOC = Path(settings.BASE_DIR) / "docs" / "permissions.md"


def parse_document() -> dict[tuple[str, str, str], str]:
    cells, roles = {}, None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if parts[:2] == ["objet", "action"]:
            roles = parts[2:]
            continue
        if roles and len(parts) == len(roles) + 2 and not re.fullmatch(r"-+", parts[0]):
            obj, action, values = parts[0], parts[1], parts[2:]
            for role, value in zip(roles, values, strict=True):
                cells[(obj, action, role)] = value
        elif roles and not line.strip():
            roles = None if cells else roles
    return cells


DOCUMENT = parse_document()
CODE = {
    (obj, action, str(role)): value
    for (obj, action), row in MATRIX.items()
    for role, value in row.items()
}
ALL_CELLS = sorted(set(DOCUMENT) | set(CODE))


def test_document_has_a_matrix():
    assert len(DOCUMENT) >= len(MATRIX) * len(Role) > 0
    assert {c[2] for c in DOCUMENT} == {str(r) for r in Role}


@pytest.mark.parametrize(("obj", "action", "role"), ALL_CELLS)
def test_document_and_code_agree(obj, action, role):
    assert DOCUMENT.get((obj, action, role)) == CODE.get((obj, action, role)), (
        f"{obj}/{action} pour {role} : document « {DOCUMENT.get((obj, action, role))} », "
        f"code « {CODE.get((obj, action, role))} »"
    )
    assert CODE[(obj, action, role)] in CELL_VALUES


@pytest.mark.parametrize(("obj", "action", "role"), ALL_CELLS)
def test_can_follows_the_cell(obj, action, role):
    membership = MembershipFactory.build(role=role)
    assert can(membership, obj, action) is (CODE[(obj, action, role)] != "non")


# --- Enforcement on the pages that exist -------------------------------------------------------


def expected_status(value: str, own: bool = False) -> int:
    if value == "oui":
        return 200
    if value == "non":
        return 403
    return 200 if own else 404


PAGE_CELLS = [
    ("professional", "view"),
    ("professional", "create"),
    ("professional", "change"),
    ("directory", "list"),
    ("directory", "view"),
    ("territory", "view"),
    ("territory", "import"),
    ("access_log", "list"),
    ("access_log", "export"),
    ("account", "list"),
    ("account", "view"),
    ("support_request", "list"),
    ("person", "list"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [str(r) for r in Role])
@pytest.mark.parametrize(("obj", "action"), PAGE_CELLS)
def test_pages_enforce_the_matrix(client, obj, action, role):
    membership = MembershipFactory(role=role)
    client.force_login(membership.user)
    other = ProfessionalFactory()
    organisation = OrganisationFactory()
    colleague = MembershipFactory(organisation=membership.organisation, role=Role.ASSISTANT).user
    value = CODE[(obj, action, role)]
    urls = {
        ("professional", "view"): reverse("territory:professional_detail", args=[other.pk]),
        ("professional", "create"): reverse("territory:professional_create"),
        ("professional", "change"): reverse("territory:professional_edit", args=[other.pk]),
        ("directory", "list"): reverse("territory:directory"),
        ("directory", "view"): reverse("territory:organisation_detail", args=[organisation.pk]),
        ("territory", "view"): reverse("territory:commune_list"),
        ("access_log", "list"): reverse("core:access_log"),
        ("account", "list"): reverse("accounts:list"),
        ("account", "view"): reverse("accounts:detail", args=[colleague.pk]),
        ("support_request", "list"): reverse("intake:queue"),
        ("person", "list"): reverse("persons:list"),
    }
    if (obj, action) == ("territory", "import"):
        response = client.post(reverse("territory:commune_list"), {})
    elif (obj, action) == ("access_log", "export"):
        response = client.get(reverse("core:access_log") + "?format=csv")
    elif (obj, action) == ("support_request", "list"):
        # A partner's "Demandes" leads to the requests they filed.
        response = client.get(urls[(obj, action)], follow=True)
    else:
        response = client.get(urls[(obj, action)])
    # Lists are narrowed to the scope (200); the colleague belongs to the user's organisation.
    own = action == "list" or (obj, action) == ("account", "view")
    assert response.status_code == expected_status(value, own=own)


@pytest.mark.django_db
def test_partner_changes_only_their_own_professional_record(client):
    user = UserFactory()
    membership = MembershipFactory(user=user, role=Role.PARTNER)
    own = ProfessionalFactory(user=user)
    other = ProfessionalFactory()
    client.force_login(membership.user)
    assert client.get(reverse("territory:professional_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("territory:professional_edit", args=[other.pk])).status_code == 404


@pytest.mark.django_db
def test_director_sees_only_accounts_of_their_organisation(client):
    director = MembershipFactory(role=Role.DIRECTOR)
    stranger = MembershipFactory(role=Role.COORDINATOR).user
    client.force_login(director.user)
    assert client.get(reverse("accounts:detail", args=[stranger.pk])).status_code == 404
    listing = client.get(reverse("accounts:list")).content.decode()
    assert stranger.email not in listing
    assert director.user.email in listing
