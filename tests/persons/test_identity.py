"""Identity reliability (RNIV): the rules of each status, the INS shown only when qualified, and
what a change of the traits does to a checked identity."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.persons import services
from appui.persons.enums import IdentityStatus
from appui.persons.models import IdentityCheck
from tests.factories import MembershipFactory, PersonFactory
from tests.persons.helpers import make_nir

pytestmark = pytest.mark.django_db
S = IdentityStatus
TODAY = date(2026, 1, 5)


@pytest.fixture
def membership():
    return MembershipFactory(role=Role.COORDINATOR)


@pytest.fixture
def person(membership):
    return PersonFactory(
        dac=membership.organisation,
        birth_name="MARTIN",
        first_name="Lucienne",
        sex="F",
        birth_date=date(1941, 3, 2),
        nir=make_nir("F", 1941, 3),
        nir_kind="NIR",
    )


def set_status(membership, person, status, **kwargs):
    return services.set_identity_status(membership, person, status=status, **kwargs)


def test_validated_needs_a_high_trust_document(membership, person):
    with pytest.raises(ValidationError) as error:
        set_status(membership, person, S.VALIDATED, evidence="health_card")
    assert "justificatif à haut niveau de confiance" in error.value.message_dict["evidence"][0]
    with pytest.raises(ValidationError):
        set_status(membership, person, S.VALIDATED, evidence="declaration")
    check, notice = set_status(membership, person, S.VALIDATED, evidence="passport")
    assert notice == ""
    assert check.status == S.VALIDATED
    person.refresh_from_db()
    assert person.identity_status == S.VALIDATED
    assert person.ins == ""


def test_retrieved_needs_the_insi_query_date_and_the_matricule(membership, person):
    with pytest.raises(ValidationError) as error:
        set_status(membership, person, S.RETRIEVED)
    assert "INSi" in error.value.message_dict["insi_queried_on"][0]
    without_nir = PersonFactory(dac=person.dac, nir="")
    with pytest.raises(ValidationError) as error:
        set_status(membership, without_nir, S.RETRIEVED, insi_queried_on=TODAY)
    assert "matricule INS" in error.value.message_dict["status"][0]
    check, _ = set_status(membership, person, S.RETRIEVED, insi_queried_on=TODAY)
    assert check.insi_queried_on == TODAY


def test_qualified_needs_both_and_only_then_shows_the_ins(membership, person):
    with pytest.raises(ValidationError) as error:
        set_status(membership, person, S.QUALIFIED, insi_queried_on=TODAY)
    assert set(error.value.message_dict) == {"evidence"}
    with pytest.raises(ValidationError) as error:
        set_status(membership, person, S.QUALIFIED, evidence="cni")
    assert set(error.value.message_dict) == {"insi_queried_on"}
    set_status(membership, person, S.QUALIFIED, evidence="cni", insi_queried_on=TODAY)
    person.refresh_from_db()
    assert person.is_qualified
    assert person.ins == person.nir


def test_doubtful_or_fictitious_forces_provisional(membership, person):
    check, notice = set_status(
        membership, person, S.QUALIFIED, evidence="cni", insi_queried_on=TODAY, doubtful=True
    )
    assert check.status == S.PROVISIONAL
    assert "reste provisoire" in notice
    person.refresh_from_db()
    assert person.identity_status == S.PROVISIONAL
    assert person.identity_doubtful
    check, notice = set_status(membership, person, S.VALIDATED, fictitious=True)
    assert check.status == S.PROVISIONAL
    assert notice


def test_insi_date_in_the_future_is_refused(membership, person):
    with pytest.raises(ValidationError) as error:
        set_status(
            membership,
            person,
            S.RETRIEVED,
            insi_queried_on=timezone.localdate() + timedelta(days=1),
        )
    assert "futur" in error.value.message_dict["insi_queried_on"][0]


def test_each_check_is_kept_with_who_when_and_the_event(membership, person):
    set_status(
        membership,
        person,
        S.VALIDATED,
        evidence="passport",
        evidence_reference="Passeport 12AB34567",
        comment="Vu à domicile",
    )
    check = IdentityCheck.objects.get(person=person)
    assert check.previous_status == S.PROVISIONAL
    assert check.by == membership.user
    assert check.evidence_reference == "Passeport 12AB34567"
    person.refresh_from_db()
    assert person.identity_changed_by == membership.user
    event = Event.objects.get(subject_type="persons.person", verb="identity_changed")
    assert event.data["status"] == S.VALIDATED
    assert event.data["previous"] == S.PROVISIONAL
    assert event.data["evidence"] == "passport"


def test_a_partner_cannot_change_the_status(person):
    partner = MembershipFactory(role=Role.PARTNER)
    with pytest.raises(Exception) as error:
        set_status(partner, person, S.VALIDATED, evidence="passport")
    assert type(error.value).__name__ == "PermissionDenied"


@pytest.mark.parametrize(
    ("status", "traits", "matricule", "after"),
    [
        (S.QUALIFIED, ["birth_name"], [], S.PROVISIONAL),
        (S.VALIDATED, ["birth_date"], [], S.PROVISIONAL),
        (S.RETRIEVED, ["first_names"], [], S.PROVISIONAL),
        (S.QUALIFIED, [], ["nir"], S.VALIDATED),
        (S.RETRIEVED, [], ["nir"], S.PROVISIONAL),
        (S.VALIDATED, [], ["nir"], None),
        (S.PROVISIONAL, ["birth_name"], [], None),
        (S.QUALIFIED, [], [], None),
    ],
)
def test_identity_after_a_change_of_traits(status, traits, matricule, after):
    assert services.identity_after_change(status, traits, matricule) == after


# --- Through the pages ---------------------------------------------------------------------------


def qualify(membership, person):
    set_status(membership, person, S.QUALIFIED, evidence="cni", insi_queried_on=TODAY)
    person.refresh_from_db()


def edit_data(person, **overrides):
    data = {
        "birth_name": person.birth_name,
        "used_name": person.used_name,
        "first_names": person.first_names,
        "first_name": person.first_name,
        "used_first_name": person.used_first_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "birthplace_code": person.birthplace_code,
        "birthplace_label": person.birthplace_label,
        "nir": person.nir,
        "nir_kind": person.nir_kind,
        "gp_status": "unknown",
    }
    data.update(overrides)
    return data


def test_changing_a_trait_of_a_qualified_identity_takes_it_back(client, membership, person):
    client.force_login(membership.user)
    qualify(membership, person)
    url = reverse("persons:edit", args=[person.pk])
    page = client.get(url).content.decode()
    assert "la fait repasser au statut provisoire" in page
    client.post(url, edit_data(person, used_name="DURAND"))
    person.refresh_from_db()
    assert person.identity_status == S.QUALIFIED  # the name in use is not an INS trait
    response = client.post(url, edit_data(person, birth_name="MARTINE"), follow=True)
    person.refresh_from_db()
    assert person.identity_status == S.PROVISIONAL
    assert (
        "l'identité passe au statut « Identité provisoire »"
        in response.content.decode().replace("&#x27;", "'").replace("&laquo;", "«")
    )
    downgrade = IdentityCheck.objects.filter(person=person).first()
    assert downgrade.previous_status == S.QUALIFIED
    assert "nom de naissance" in downgrade.comment
    assert Event.objects.filter(verb="identity_downgraded", subject_id=str(person.pk)).exists()


def test_changing_the_matricule_of_a_qualified_identity_leaves_it_validated(
    client, membership, person
):
    client.force_login(membership.user)
    qualify(membership, person)
    new_nir = make_nir("F", 1941, 3, order="777")
    client.post(reverse("persons:edit", args=[person.pk]), edit_data(person, nir=new_nir))
    person.refresh_from_db()
    assert person.nir == new_nir
    assert person.identity_status == S.VALIDATED


def test_identity_page_sets_the_status_with_french_errors(client, membership, person):
    client.force_login(membership.user)
    url = reverse("persons:identity", args=[person.pk])
    response = client.post(url, {"status": S.QUALIFIED, "evidence": "health_card"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "haut niveau de confiance" in errors["evidence"][0]
    assert "INSi" in errors["insi_queried_on"][0]
    assert not IdentityCheck.objects.exists()
    response = client.post(
        url,
        {"status": S.QUALIFIED, "evidence": "cni", "insi_queried_on": "2026-01-05"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_qualified
    page = client.get(reverse("persons:detail", args=[person.pk])).content.decode()
    assert person.nir in page
    assert "INS non qualifiée" not in page
    assert "Identité qualifiée" in page
    history = client.get(url).content.decode()
    assert "Carte nationale d" in history
    assert "interrogé le 05/01/2026" in history


def test_identity_page_says_when_the_status_was_forced(client, membership, person):
    client.force_login(membership.user)
    response = client.post(
        reverse("persons:identity", args=[person.pk]),
        {"status": S.VALIDATED, "evidence": "passport", "doubtful": "on"},
        follow=True,
    )
    html = response.content.decode()
    assert "Identité douteuse ou fictive : elle reste provisoire" in html
    assert "Identité douteuse" in html
