"""Informing the GP: the generated, printable message, the record of its sending, and the
refusal when the person objected or the GP is unknown."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.intake import services, workflow
from appui.intake.enums import Answer, ResponseType
from appui.intake.models import GpInformation
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    RequestReasonFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db

OBJECTION = (
    "La personne s'est opposée à l'information de son médecin traitant : aucun message ne sera "
    "envoyé."
)


@pytest.fixture
def dac():
    return OrganisationFactory(
        dac=True, name="DAC Scarpe-Escaut", phone="03 27 99 00 00", email="contact@dac.test"
    )


@pytest.fixture
def staff(client, dac):
    membership = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    client.force_login(membership.user)
    return membership


@pytest.fixture
def gp():
    return ProfessionalFactory(title="Dr", first_name="Claire", last_name="Morel")


def carer_request(dac, gp, **kwargs):
    """S4: a daughter calls about her mother; the GP does not know the DAC is involved."""
    person = PersonFactory(
        dac=dac, birth_name="Roux", first_name="Jeanne", sex="F", gp=gp, gp_status="known"
    )
    defaults = {
        "dac": dac,
        "person": person,
        "requester_kind": "carer",
        "requester_professional": None,
        "requester_name": "Sophie Roux",
        "requester_relationship": "fille",
        "description": "Maladie d'Alzheimer, vit seule, chutes fréquentes, refuse l'aide.",
    }
    defaults.update(kwargs)
    return SupportRequestFactory(**defaults)


def page(client, request):
    return client.get(reverse("intake:request_detail", args=[request.pk])).content.decode()


def test_objection_refuses_the_message_and_the_page_says_so(client, staff, dac, gp):
    request = carer_request(dac, gp, gp_may_be_informed=Answer.NO)
    with pytest.raises(ValidationError) as refused:
        services.record_gp_information(staff, request, "mssante")
    assert refused.value.messages == [OBJECTION]
    assert not GpInformation.objects.exists()
    assert not Event.objects.filter(verb="gp_informed").exists()
    assert OBJECTION.replace("'", "&#x27;") in page(client, request)
    url = reverse("intake:request_gp_information", args=[request.pk])
    preparation = client.get(url).content.decode()
    assert OBJECTION.replace("'", "&#x27;") in preparation
    assert "Enregistrer l'envoi" not in preparation
    assert "Docteur Claire Morel" not in preparation
    client.post(url, {"channel": "mssante", "sent_at": "2025-01-06T10:00"})
    assert not GpInformation.objects.exists()


def test_unknown_gp_is_said_plainly(client, staff, dac):
    person = PersonFactory(dac=dac, gp=None, gp_status="unknown")
    request = SupportRequestFactory(dac=dac, person=person)
    html = page(client, request)
    assert "Le médecin traitant de la personne n&#x27;est pas connu" in html
    with pytest.raises(ValidationError):
        services.record_gp_information(staff, request, "letter")
    assert not GpInformation.objects.exists()


def test_carer_request_shows_the_gp_must_be_informed_until_sent(client, staff, dac, gp):
    request = carer_request(dac, gp)
    html = page(client, request)
    assert "Le médecin traitant, Dr Claire Morel, doit être informé de cette demande" in html
    services.record_gp_information(staff, request, "mssante")
    html = page(client, request)
    assert "doit être informé" not in html
    assert "Dr Claire Morel a été informé·e le" in html


def test_request_from_the_gp_needs_no_reminder(client, staff, dac, gp):
    request = carer_request(dac, gp, requester_kind="professional", requester_professional=gp)
    html = page(client, request)
    assert "La demande vient du médecin traitant" in html
    assert "doit être informé" not in html


def test_message_summarises_the_request_and_the_answer(staff, dac, gp):
    request = carer_request(dac, gp)
    request.reasons.add(RequestReasonFactory(dac=dac, label="Chutes répétées"))
    workflow.assign(staff, request, staff.user)
    workflow.give_response(
        staff, request, ResponseType.INFORMATION, "Présentation de l'accueil de jour."
    )
    body = services.gp_letter_body(request)
    for expected in (
        "Docteur Claire Morel,",
        "Le DAC Scarpe-Escaut (dispositif d'appui à la coordination)",
        "Mme Jeanne ROUX",
        f"votre patiente Mme Jeanne ROUX, née le {request.person.birth_date:%d/%m/%Y}",
        f"Demande n° {request.number}",
        "de : Sophie Roux (fille)",
        "Motifs : Chutes répétées.",
        "Maladie d'Alzheimer",
        "information, conseil : Présentation de l'accueil de jour.",
        "03 27 99 00 00",
        "contact@dac.test",
        staff.user.get_full_name(),
    ):
        assert expected in body, expected
    assert "INS" not in body  # the identity is provisional: no INS


def test_sending_keeps_the_text_sent_and_shows_it_printable(client, staff, dac, gp):
    request = carer_request(dac, gp)
    url = reverse("intake:request_gp_information", args=[request.pk])
    preparation = client.get(url).content.decode()
    assert "Information au médecin traitant" in preparation
    assert "Docteur Claire Morel," in preparation
    assert "@media print" in preparation
    sent_at = timezone.localtime().replace(second=0, microsecond=0) - timezone.timedelta(hours=2)
    response = client.post(
        url, {"channel": "letter", "sent_at": sent_at.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    letter = GpInformation.objects.get()
    assert (letter.gp, letter.channel, letter.sent_at, letter.sent_by) == (
        gp,
        "letter",
        sent_at,
        staff.user,
    )
    assert "Docteur Claire Morel," in letter.body
    event = Event.objects.get(verb="gp_informed")
    assert event.data == {"letter": letter.pk, "gp": gp.pk, "channel": "letter"}
    printed = client.get(reverse("intake:request_gp_letter", args=[request.pk, letter.pk]))
    assert "Docteur Claire Morel," in printed.content.decode()


def test_sending_form_refuses_a_missing_channel_and_a_future_date(client, staff, dac, gp):
    request = carer_request(dac, gp)
    url = reverse("intake:request_gp_information", args=[request.pk])
    future = (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"channel": "", "sent_at": future})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in html
    response = client.post(url, {"channel": "phone", "sent_at": future})
    assert "La date d&#x27;envoi ne peut pas être dans le futur." in response.content.decode()
    assert not GpInformation.objects.exists()


def test_the_requester_never_sees_the_message(client, dac, gp):
    partner = MembershipFactory(role=Role.PARTNER)
    staff = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    request = carer_request(dac, gp, submitted_by=partner.user)
    letter = services.record_gp_information(staff, request, "mssante")
    client.force_login(partner.user)
    html = client.get(reverse("intake:request_detail", args=[request.pk])).content.decode()
    assert "Docteur Claire Morel" not in html and "médecin traitant" not in html
    url = reverse("intake:request_gp_letter", args=[request.pk, letter.pk])
    assert client.get(url).status_code == 403
