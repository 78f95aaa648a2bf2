"""M. Benali's care circle (SCENARIOS.md S5), as the liaison notebook tests need it."""

from dataclasses import dataclass

import pytest

from appui.core.enums import Role
from tests.factories import (
    CareCircleMemberFactory,
    CareEpisodeFactory,
    CarerFactory,
    MembershipFactory,
    ObjectionFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    UserFactory,
)


@dataclass
class Circle:
    person: object
    episode: object
    coordinator: object  # memberships
    gp: object
    nurse: object
    physio: object
    social_worker: object
    ssiad_nurse: object
    outsider: object
    wife: object = None


def partner(profession, organisation=None, first_name="Claire", last_name=""):
    user = UserFactory(first_name=first_name, last_name=last_name or profession.capitalize())
    professional = ProfessionalFactory(
        profession=profession, user=user, first_name=first_name, last_name=user.last_name
    )
    membership = MembershipFactory(
        user=user,
        role=Role.PARTNER,
        organisation=organisation or OrganisationFactory(kind="practice"),
    )
    return membership, professional


def benali_circle() -> Circle:
    dac = OrganisationFactory(dac=True, name="DAC du Hainaut")
    gp, gp_pro = partner("physician", first_name="Hélène", last_name="Morel")
    person = PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M", gp=gp_pro)
    coordinator = MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user=UserFactory(first_name="Julie", last_name="Coordinatrice"),
    )
    episode = CareEpisodeFactory(person=person, referent=coordinator.user)
    nurse, nurse_pro = partner("nurse", first_name="Nadia", last_name="Infirmière")
    CareCircleMemberFactory(
        circle__person=person, professional=nurse_pro, role_label="infirmière libérale"
    )
    physio, physio_pro = partner("physiotherapist", first_name="Paul", last_name="Kiné")
    physio_member = CareCircleMemberFactory(
        circle__person=person, professional=physio_pro, role_label="kinésithérapeute"
    )
    ObjectionFactory(
        person=person,
        member=physio_member,
        professional=physio_pro,
        scope="restrict",
        categories=["plan"],
        own_actions_only=True,
        recorded_by=coordinator.user,
    )
    council = OrganisationFactory(kind="department_council", name="Conseil départemental")
    social_worker, _ = partner(
        "social_worker", organisation=council, first_name="Sylvie", last_name="Évaluatrice"
    )
    CareCircleMemberFactory(
        circle__person=person,
        kind="organisation",
        professional=None,
        organisation=council,
        role_label="évaluation APA",
    )
    ssiad = OrganisationFactory(kind="ssiad", name="SSIAD du Val")
    ssiad_nurse = MembershipFactory(
        organisation=ssiad,
        role=Role.PARTNER,
        user=UserFactory(first_name="Inès", last_name="Coordinatrice-SSIAD"),
    )
    ProfessionalFactory(profession="nurse", user=ssiad_nurse.user)
    CareCircleMemberFactory(
        circle__person=person,
        kind="professional",
        professional=None,
        user=ssiad_nurse.user,
        role_label="infirmière coordinatrice du SSIAD",
    )
    wife = CarerFactory(
        person=person, first_name="Fatima", last_name="Benali", relationship="spouse"
    )
    CareCircleMemberFactory(
        circle__person=person,
        kind="carer",
        professional=None,
        carer=wife,
        role_label="épouse",
    )
    outsider, _ = partner("nurse", first_name="Olivier", last_name="Horscercle")
    return Circle(
        person=person,
        episode=episode,
        coordinator=coordinator,
        gp=gp,
        nurse=nurse,
        physio=physio,
        social_worker=social_worker,
        ssiad_nurse=ssiad_nurse,
        outsider=outsider,
        wife=wife,
    )


@pytest.fixture
def private_media(settings, tmp_path):
    """Attachments go to a temporary private folder (the storage reads the setting at each use)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.PRIVATE_MEDIA_ROOT
