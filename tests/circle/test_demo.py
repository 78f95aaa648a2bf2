"""The demo of S5: M. Benali's circle, its partner accounts and his objection; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from appui.accounts.models import Membership
from appui.care.models import Action
from appui.circle.models import CareCircleMember, Objection
from appui.core import sharing
from appui.core.enums import CircleRelationship
from appui.persons.models import Person
from appui.territory.demo import DOMAIN

pytestmark = pytest.mark.django_db


def partner(local):
    return Membership.objects.get(user__email=f"{local}@{DOMAIN}", is_active=True)


def test_benali_circle_and_objection_then_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    person = Person.objects.get(birth_name="BENALI", first_name="Ahmed")
    members = CareCircleMember.objects.filter(circle__person=person)
    assert members.count() == 6
    assert set(members.values_list("kind", flat=True)) == {"professional", "organisation", "carer"}

    physio = partner("thomas.vasseur")
    access = sharing.access(physio, person)
    assert access.relationship == CircleRelationship.RESTRICTED
    assert access.plan and not access.medical and access.own_actions_only
    # His one action in the PPCS in force: the exercise plan.
    assert Action.objects.filter(
        plan_version__plan__episode__person=person,
        responsible_professional_id=access.own_actions_professional_id,
    ).exists()

    apa = sharing.access(partner("karim.haddad"), person)
    assert apa.social and apa.autonomy and apa.plan and not apa.medical
    nurse = sharing.access(partner("sandrine.lefebvre"), person)
    assert nurse.medical and nurse.relationship == CircleRelationship.MEMBER
    assert sharing.access(partner("dr.morel"), person).medical

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Cercle de soins de M. Benali : déjà créé" in out.getvalue()
    assert members.count() == 6 and Objection.objects.filter(person=person).count() == 1
