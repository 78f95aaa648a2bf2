"""A partner professional asks the DAC online ("Solliciter le DAC") and follows their requests
("Mes demandes"); they never reach the DAC's queue nor other people's requests."""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.intake import services
from appui.intake.models import RequestReason, SupportRequest
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    ProfessionalFactory,
    SupportRequestFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("intake:partner_create")
MINE = reverse("intake:partner_requests")


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def rieulay():
    return CommuneFactory(insee_code="59501", name="Rieulay")


@pytest.fixture
def dac(rieulay):
    territory = TerritoryFactory(dac__name="DAC Scarpe-Escaut")
    territory.communes.add(rieulay)
    return territory.dac


@pytest.fixture
def partner(client, login):
    user = UserFactory(first_name="Claire", last_name="Morel", phone="03 27 11 22 33")
    membership = login(Role.PARTNER, user=user, organisation=OrganisationFactory(kind="msp"))
    ProfessionalFactory(user=user, first_name="Claire", last_name="Morel")
    return membership


def request_data(dac, **changes):
    services.ensure_default_reasons(dac)
    data = {
        "birth_name": "Roux",
        "used_name": "",
        "first_name": "Jeanne",
        "sex": "F",
        "birth_date": "1946-05-12",
        "phone": "03 27 98 76 54",
        "reasons": [RequestReason.objects.get(dac=dac, label="Troubles cognitifs").pk],
        "description": "Maladie d'Alzheimer, vit seule, chutes fréquentes, refuse les aides.",
        "urgency": "normal",
        "gp_known": "yes",
        "person_informed": "yes",
        "person_agrees": "unknown",
        "gp_may_be_informed": "yes",
        "requester_contact": "03 27 11 22 33",
    }
    data.update(changes)
    return data


def test_first_step_asks_where_the_person_lives(client, partner):
    html = text(client.get(URL))
    assert "Commune où vit la personne" in html
    assert "Envoyer la demande" not in html


def test_the_dac_covering_the_commune_is_chosen(client, partner, dac):
    OrganisationFactory(dac=True, name="DAC Voisin")
    html = text(client.get(URL, {"commune": "Rieulay"}))
    assert "Votre demande sera adressée au <strong>DAC Scarpe-Escaut</strong>" in html
    assert "Troubles cognitifs" in html  # the DAC's own catalogue
    assert RequestReason.objects.filter(dac=dac).exists()


def test_a_commune_no_dac_covers_needs_a_choice(client, partner, dac):
    CommuneFactory(insee_code="59350", name="Lille")
    html = text(client.get(URL, {"commune": "59350"}))
    assert "Aucun DAC ne couvre cette commune : choisissez le DAC à solliciter." in html
    html = text(client.get(URL, {"commune": "59350", "dac": dac.pk}))
    assert "Votre demande sera adressée au <strong>DAC Scarpe-Escaut</strong>" in html


def test_an_unknown_commune_is_refused(client, partner, dac):
    html = text(client.get(URL, {"commune": "Atlantide"}))
    assert "Commune inconnue : saisissez son nom exact ou son code Insee." in html


def test_the_request_is_filed_with_the_person_described(client, partner, dac):
    response = client.post(f"{URL}?commune=59501", request_data(dac))
    assert response.status_code == 302 and response["Location"] == MINE
    saved = SupportRequest.objects.get()
    assert saved.dac == dac and saved.person is None
    assert saved.channel == "web_form" and saved.submitted_by == partner.user
    assert saved.requester_kind == "professional"
    assert saved.requester_professional.user == partner.user
    assert saved.requester_name == "Claire Morel"
    assert saved.proposed_person == {
        "birth_name": "Roux",
        "used_name": "",
        "first_name": "Jeanne",
        "sex": "F",
        "birth_date": "1946-05-12",
        "commune": "59501",
        "commune_name": "Rieulay",
        "phone": "03 27 98 76 54",
    }
    assert [r.label for r in saved.reasons.all()] == ["Troubles cognitifs"]
    assert saved.number.endswith("-00001") and saved.answer_due_at is not None
    assert Event.objects.filter(subject_id=str(saved.pk), verb="created").exists()
    html = text(client.get(MINE))
    assert f"Votre demande n° {saved.number} a été transmise au DAC Scarpe-Escaut" in html
    assert "Jeanne ROUX" in html and "Nouvelle" in html and "En attente" in html


def test_a_partner_without_a_professional_record_asks_for_their_structure(client, login, dac):
    structure = OrganisationFactory(kind="ccas", name="CCAS de Rieulay")
    login(Role.PARTNER, organisation=structure)
    client.post(f"{URL}?commune=59501", request_data(dac))
    saved = SupportRequest.objects.get()
    assert saved.requester_kind == "organisation"
    assert saved.requester_organisation == structure and saved.requester_professional is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reasons": []}, "Indiquez au moins un motif."),
        (
            {"birth_date": (timezone.localdate() + timedelta(days=3)).isoformat()},
            "La date de naissance ne peut pas être dans le futur.",
        ),
        ({"birth_name": ""}, "Indiquez le nom de naissance de la personne."),
        ({"description": ""}, "Décrivez la situation en quelques mots."),
        ({"requester_contact": ""}, "Indiquez comment le DAC peut vous joindre."),
    ],
)
def test_invalid_input_saves_nothing(client, partner, dac, changes, message):
    response = client.post(f"{URL}?commune=59501", request_data(dac, **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert SupportRequest.all_objects.count() == 0


def test_my_requests_lists_only_mine(client, partner, dac):
    mine = SupportRequestFactory(
        dac=dac,
        submitted_by=partner.user,
        person=None,
        proposed_person={"birth_name": "Roux", "first_name": "Jeanne"},
        status="answered",
        first_answered_at=timezone.make_aware(timezone.datetime(2026, 3, 2, 10, 0)),
    )
    in_my_name = SupportRequestFactory(dac=dac, requester_professional=partner.user.professional)
    someone_else = SupportRequestFactory(dac=dac, submitted_by=UserFactory())
    html = text(client.get(MINE))
    assert mine.number in html and in_my_name.number in html
    assert someone_else.number not in html
    assert "Répondue" in html and "Le 02/03/2026" in html
    assert reverse("intake:request_detail", args=[mine.pk]) in html


def test_my_requests_query_count_is_bounded(client, partner, dac, django_assert_max_num_queries):
    for _ in range(30):
        SupportRequestFactory(dac=dac, submitted_by=partner.user, person=None)
    with django_assert_max_num_queries(10):
        assert client.get(MINE).status_code == 200


def test_a_partner_cannot_reach_the_queue_nor_others_requests(client, partner, dac):
    other = SupportRequestFactory(dac=dac)
    assert client.get(reverse("intake:queue"), {"status": "all"})["Location"] == MINE
    assert client.get(reverse("intake:queue_results"), {"status": "all"}).status_code == 403
    assert client.get(reverse("intake:request_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("intake:request_create"))["Location"] == URL
    assert client.get(reverse("intake:person_results"), {"person_q": "a"}).status_code == 403
    assert client.get(reverse("intake:requester_results")).status_code == 403
    assert client.get(reverse("intake:settings")).status_code == 403


def test_staff_are_sent_to_their_own_pages(client, login, dac):
    login(Role.ASSISTANT, organisation=dac)
    assert client.get(URL)["Location"] == reverse("intake:request_create")
    assert client.get(MINE)["Location"] == reverse("intake:queue")


def test_a_staff_member_sees_the_partner_request_in_the_queue(client, partner, dac):
    client.post(f"{URL}?commune=59501", request_data(dac))
    staff = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    client.force_login(staff.user)
    html = text(client.get(reverse("intake:queue")))
    assert "Jeanne ROUX" in html and "À identifier" in html
    assert "Claire Morel" in html and "Un·e professionnel·le" in html
