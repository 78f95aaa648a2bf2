"""Which DACs make the pilot's region."""

import pytest

from appui.core.enums import Role
from appui.reporting.regional import region_dacs
from tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def test_the_region_is_the_ars_commune_s_and_its_dacs_are_seated_or_covering_it():
    hdf = CommuneFactory(insee_code="59350", region_code="32")
    hdf_2 = CommuneFactory(insee_code="62041", region_code="32", department_code="62")
    ile_de_france = CommuneFactory(insee_code="75056", region_code="11", department_code="75")
    ars = OrganisationFactory(kind="ars", name="ARS", commune=hdf)
    seated = OrganisationFactory(dac=True, name="B seated", commune=hdf_2)
    # Seated outside the region, but its territory reaches into it.
    covering = OrganisationFactory(dac=True, name="A covering", commune=ile_de_france)
    TerritoryFactory(dac=covering).communes.set([ile_de_france, hdf])
    outside = OrganisationFactory(dac=True, name="C outside", commune=ile_de_france)
    TerritoryFactory(dac=outside).communes.set([ile_de_france])
    archived = OrganisationFactory(dac=True, name="D archived", commune=hdf)
    archived.delete()
    OrganisationFactory(kind="clic", commune=hdf)  # not a DAC

    pilot = MembershipFactory(organisation=ars, role=Role.REGIONAL_PILOT)
    assert list(region_dacs(pilot)) == [covering, seated]


def test_no_region_without_an_ars_or_its_commune():
    dac = OrganisationFactory(dac=True)
    director = MembershipFactory(organisation=dac, role=Role.DIRECTOR)
    assert list(region_dacs(director)) == []
    ars = OrganisationFactory(kind="ars", commune=None)
    OrganisationFactory(dac=True)
    assert list(region_dacs(MembershipFactory(organisation=ars, role=Role.REGIONAL_PILOT))) == []
