"""The DAC's sharing settings: a profile × category table, stored as differences from the
defaults, effective for `core.sharing.access` at once."""

import pytest
from django.urls import reverse

from appui.circle import policy, services
from appui.circle.models import SharingDefault
from appui.core import sharing
from appui.core.enums import Role
from appui.core.models import Event
from tests.factories import (
    CareCircleMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def post_grid(client, grid):
    data = {f"{p}.{c}": "1" for p, categories in grid.items() for c in categories}
    return client.post(reverse("circle:sharing_settings"), data)


def test_only_the_direction_changes_the_sharing_settings(client, login):
    login(Role.COORDINATOR)
    assert client.get(reverse("circle:sharing_settings")).status_code == 403
    login(Role.PARTNER)
    assert client.get(reverse("circle:sharing_settings")).status_code == 403


def test_page_is_prechecked_from_defaults_and_the_dac_rows(
    client, login, django_assert_max_num_queries
):
    director = login(Role.DIRECTOR)
    SharingDefault.objects.create(
        dac=director.organisation, profile="nurse", category="social", allowed=True
    )
    with django_assert_max_num_queries(15):
        response = client.get(reverse("circle:sharing_settings"))
    rows = {row["profile"]: row for row in response.context["rows"]}
    nurse = {cell["category"]: cell for cell in rows["nurse"]["cells"]}
    assert nurse["social"]["checked"] and nurse["social"]["changed"]
    assert nurse["medical"]["checked"] and not nurse["medical"]["changed"]
    assert not nurse["psychological"]["checked"]


def test_saving_stores_only_the_differences_and_changes_the_access(client, login):
    director = login(Role.DIRECTOR)
    dac = director.organisation
    person = PersonFactory(dac=dac)
    user = UserFactory()
    professional = ProfessionalFactory(profession="physiotherapist", user=user)
    nurse_membership = MembershipFactory(
        user=user, role=Role.PARTNER, organisation=OrganisationFactory(kind="practice")
    )
    CareCircleMemberFactory(circle__person=person, professional=professional)
    assert sharing.access(nurse_membership, person).medical

    grid = {p: set(c) for p, c in policy.DEFAULTS.items()}
    grid["physiotherapist"].discard("medical")
    grid["assistant"].add("autonomy")
    response = post_grid(client, grid)
    assert response.status_code == 302
    rows = set(SharingDefault.objects.filter(dac=dac).values_list("profile", "category", "allowed"))
    assert rows == {("physiotherapist", "medical", False), ("assistant", "autonomy", True)}
    event = Event.objects.get(verb="sharing_settings_changed", subject_id=str(dac.pk))
    assert len(event.data["changes"]) == 2
    sharing.forget(nurse_membership)
    access = sharing.access(nurse_membership, person)
    assert not access.medical and access.autonomy

    # Back to the defaults: no row is left.
    post_grid(client, policy.DEFAULTS)
    assert not SharingDefault.objects.filter(dac=dac).exists()
    sharing.forget(nurse_membership)
    assert sharing.access(nurse_membership, person).medical


def test_grid_reflects_the_dac_only():
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    SharingDefault.objects.create(dac=other, profile="nurse", category="social", allowed=True)
    assert "social" not in services.sharing_grid(dac)["nurse"]
    assert "social" in services.sharing_grid(other)["nurse"]


def test_administration_links_the_sharing_settings(client, login):
    login(Role.DIRECTOR)
    html = client.get(reverse("core:administration")).content.decode()
    assert reverse("circle:sharing_settings") in html
