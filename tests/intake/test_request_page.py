"""The request page: what staff see and can do, what the requester sees, the answer form, the
identification of a person, the timeline, and the page's query count."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import AccessLog, Event
from appui.directory.models import UnmetNeed
from appui.intake import screening, services, workflow
from appui.intake.enums import IntensityLevel, RequestStatus, ResponseType
from appui.intake.models import RequestResponse, SupportRequest
from tests.factories import (
    CommuneFactory,
    ContactLogFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    RequestReasonFactory,
    ServiceFactory,
    SupportRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True, name="DAC Scarpe-Escaut", phone="03 27 00 00 00")


@pytest.fixture
def staff(client, dac):
    membership = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    client.force_login(membership.user)
    return membership


def detail(client, request):
    return client.get(reverse("intake:request_detail", args=[request.pk]))


def text(response):
    return response.content.decode()


# --- Staff ---------------------------------------------------------------------------------------


def test_new_request_page_shows_the_request_and_its_actions(client, staff, dac):
    reason = RequestReasonFactory(dac=dac, label="Épuisement de l'aidant")
    request = SupportRequestFactory(
        dac=dac,
        urgency="urgent",
        requester_kind="carer",
        requester_professional=None,
        requester_name="Sophie Roux",
        requester_relationship="fille",
        requester_contact="06 12 34 56 78",
        description="Sa mère vit seule, chutes fréquentes, refuse l'aide.",
        answer_due_at=timezone.now() + timedelta(hours=3),
    )
    request.reasons.add(reason)
    html = text(detail(client, request))
    assert "Demande " + request.number in html
    assert "Urgente" in html and "Nouvelle" in html
    assert "Première réponse attendue au plus tard le" in html
    assert "Sophie Roux" in html and "fille" in html and "06 12 34 56 78" in html
    assert "Épuisement de l&#x27;aidant" in html
    assert "Sa mère vit seule" in html
    for action in ("Prendre en analyse", "Répondre", "Repérage de la complexité", "Attribuer"):
        assert action in html
    assert "Clôturer la demande" not in html


def test_overdue_request_is_highlighted(client, staff, dac):
    request = SupportRequestFactory(
        dac=dac,
        received_at=timezone.now() - timedelta(days=6),
        answer_due_at=timezone.now() - timedelta(days=2),
    )
    html = text(detail(client, request))
    assert "En retard" in html
    assert "la première réponse était attendue avant le" in html


def test_answered_request_shows_the_delay_and_offers_to_close(client, staff, dac):
    request = SupportRequestFactory(dac=dac)
    workflow.give_response(staff, request, ResponseType.INFORMATION, "Coordonnées du CLIC.")
    html = text(detail(client, request))
    assert "délai de 0 jour ouvré" in html
    assert "Clôturer la demande" in html
    assert "Prendre en analyse" not in html
    assert "Coordonnées du CLIC." in html


def test_finished_request_offers_no_transition(client, staff, dac):
    request = SupportRequestFactory(dac=dac, status=RequestStatus.REFUSED)
    html = text(detail(client, request))
    for action in ("Prendre en analyse", ">Répondre<", "Clôturer la demande", "Attribuer"):
        assert action not in html
    assert "La demande est terminée (refusée" in html


def test_take_assign_and_close_through_the_page(client, staff, dac):
    request = SupportRequestFactory(dac=dac)
    colleague = MembershipFactory(organisation=dac, role=Role.ASSISTANT).user
    response = client.post(reverse("intake:request_take", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_ANALYSIS
    client.post(reverse("intake:request_assign", args=[request.pk]), {"user": colleague.pk})
    request.refresh_from_db()
    assert request.assigned_to == colleague
    # Closing an unanswered request is refused with a message, nothing changes.
    refused = client.post(reverse("intake:request_close", args=[request.pk]), {}, follow=True)
    assert "Impossible pour une demande « en analyse »" in text(refused)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_ANALYSIS
    workflow.give_response(staff, request, ResponseType.INFORMATION, "Informations données.")
    client.post(reverse("intake:request_close", args=[request.pk]), {"note": "Rien d'autre."})
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED
    assert request.closing_note == "Rien d'autre."


def test_assigning_to_someone_outside_the_team_shows_an_error(client, staff, dac):
    request = SupportRequestFactory(dac=dac)
    stranger = MembershipFactory(role=Role.COORDINATOR).user
    response = client.post(
        reverse("intake:request_assign", args=[request.pk]), {"user": stranger.pk}
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    request.refresh_from_db()
    assert request.assigned_to is None


def test_another_dacs_request_is_not_found(client, staff):
    other = SupportRequestFactory()
    assert detail(client, other).status_code == 404
    assert client.post(reverse("intake:request_take", args=[other.pk])).status_code == 404


# --- Answer form -----------------------------------------------------------------------------------


def test_answer_form_searches_the_directory_and_records_an_orientation(client, staff, dac):
    rieulay = CommuneFactory(insee_code="59501", name="Rieulay", latitude=50.377, longitude=3.253)
    person = PersonFactory(dac=dac, commune=rieulay)
    request = SupportRequestFactory(dac=dac, person=person, status=RequestStatus.IN_ANALYSIS)
    meals = ServiceFactory(meals=True, zone_codes=["59501"])
    ServiceFactory(name="Aide au jardinage", themes=["aide-a-domicile"])
    url = reverse("intake:request_respond", args=[request.pk])
    searched = client.post(
        url,
        {
            "search": "1",
            "q": "portage repas",
            "response_type": "orientation",
            "summary": "Deux services de portage.",
        },
    )
    html = text(searched)
    assert searched.status_code == 200
    assert "Portage de repas à domicile" in html
    assert "(intervient dans la commune)" in html
    assert "Aide au jardinage" not in html
    assert "Deux services de portage." in html  # what was typed is kept
    assert not RequestResponse.objects.exists()
    saved = client.post(
        url,
        {
            "q": "portage repas",
            "response_type": "orientation",
            "summary": "Un service de portage ; pas de téléassistance sur la commune.",
            "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "services": [meals.pk],
            "need_theme": "teleassistance",
            "need_commune": "59501",
            "need_public": "seniors",
        },
    )
    assert saved.status_code == 302
    response = RequestResponse.objects.get()
    assert list(response.services.all()) == [meals]
    need = UnmetNeed.objects.get()
    assert (need.theme, need.commune, need.dac) == ("teleassistance", rieulay, dac)
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED


def test_orientation_without_resource_shows_the_rule_next_to_the_field(client, staff, dac):
    request = SupportRequestFactory(dac=dac)
    response = client.post(
        reverse("intake:request_respond", args=[request.pk]),
        {
            "response_type": "orientation",
            "summary": "Orientée.",
            "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "Une orientation cite au moins une ressource du répertoire" in text(response)
    assert not RequestResponse.objects.exists()


def test_referral_by_finess_then_structure_decision(client, staff, dac):
    c360 = OrganisationFactory(name="Communauté 360 du Nord", finess_et="590000013")
    request = SupportRequestFactory(dac=dac)
    url = reverse("intake:request_respond", args=[request.pk])
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    unknown = client.post(
        url,
        {
            "response_type": "referral_out",
            "summary": "Réorientée.",
            "given_at": now,
            "referral_organisation": "Structure imaginaire",
        },
    )
    assert "Structure inconnue du répertoire" in text(unknown)
    client.post(
        url,
        {
            "response_type": "referral_out",
            "summary": "Réorientée vers la Communauté 360.",
            "given_at": now,
            "referral_organisation": "590000013",
        },
    )
    response = RequestResponse.objects.get()
    assert response.referral_organisation == c360
    html = text(detail(client, request))
    assert "réponse attendue" in html and "Enregistrer la réponse de la structure" in html
    client.post(
        reverse("intake:request_referral_decision", args=[request.pk, response.pk]),
        {"accepted": "yes", "on": timezone.localdate().isoformat()},
    )
    response.refresh_from_db()
    assert response.referral_accepted is True
    assert "a accepté le" in text(detail(client, request))


def test_case_management_from_the_page_opens_the_episode(client, staff, dac):
    case_manager = MembershipFactory(organisation=dac, role=Role.CASE_MANAGER).user
    request = SupportRequestFactory(dac=dac)
    response = client.post(
        reverse("intake:request_respond", args=[request.pk]),
        {
            "response_type": "case_management",
            "summary": "Gestion de cas.",
            "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "level": "long_term",
            "case_manager": case_manager.pk,
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCOMPANIMENT
    assert request.care_episodes.get().case_manager == case_manager
    html = text(detail(client, request))
    assert "La demande est devenue un accompagnement" in html
    closed = client.get(reverse("intake:request_respond", args=[request.pk]), follow=True)
    assert "ne reçoit plus de réponse" in text(closed)


# --- Requester (partner) -------------------------------------------------------------------------


def test_partner_sees_only_status_dates_and_answers_of_their_own_request(
    client, dac, django_assert_max_num_queries
):
    partner = MembershipFactory(role=Role.PARTNER)
    staff = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    person = PersonFactory(dac=dac, birth_name="Lenoir")
    own = SupportRequestFactory(
        dac=dac,
        person=person,
        submitted_by=partner.user,
        description="Situation confidentielle décrite au DAC.",
    )
    screening.record_screening(staff, own, ["isolation"], False, "Note interne de triage.")
    ContactLogFactory(request=own, purpose="Appel à la fille", outcome="Note de contact interne")
    workflow.give_response(staff, own, ResponseType.INFORMATION, "Le DAC a appelé la patiente.")
    other = SupportRequestFactory(dac=dac)
    client.force_login(partner.user)
    # +1: the header's notification bell counts the unread notices.
    with django_assert_max_num_queries(11):
        page = detail(client, own)
    html = text(page)
    assert page.status_code == 200
    assert own.number in html and "Répondue" in html
    assert "Le DAC a appelé la patiente." in html
    for secret in (
        "Note interne de triage",
        "Appel à la fille",
        "Note de contact interne",
        "Repérage",
        "Lenoir".upper(),
        "Situation confidentielle",
        "médecin traitant",
        "Prendre en analyse",
    ):
        assert secret not in html, secret
    assert detail(client, other).status_code == 404
    for name in ("request_take", "request_close"):
        assert client.post(reverse(f"intake:{name}", args=[own.pk])).status_code == 403
    assert client.get(reverse("intake:request_respond", args=[own.pk])).status_code == 403


def test_partner_requester_via_their_professional_record(client, dac):
    partner = MembershipFactory(role=Role.PARTNER)
    professional = ProfessionalFactory(user=partner.user)
    request = SupportRequestFactory(dac=dac, requester_professional=professional)
    client.force_login(partner.user)
    html = text(detail(client, request))
    assert "L'équipe du DAC analyse votre demande" in html


# --- Identification of the person ------------------------------------------------------------------


def test_web_request_shows_the_proposed_person_and_attaches_the_identified_one(client, staff, dac):
    person = PersonFactory(
        dac=dac, birth_name="Petit", first_name="Lucas", sex="M", birth_date=date(2009, 3, 14)
    )
    request = SupportRequestFactory(
        dac=dac,
        person=None,
        channel="web_form",
        proposed_person={
            "birth_name": "PETIT",
            "first_name": "Lucas",
            "sex": "M",
            "birth_date": "2009-03-14",
            "commune": "59350",
            "commune_name": "Lille",
        },
    )
    html = text(detail(client, request))
    assert "Personne à identifier" in html
    assert "Nom de naissance" in html and "PETIT" in html and "14/03/2009" in html
    assert "Masculin" in html and "Lille" in html and "code Insee" not in html
    assert "Repérage de la complexité</a>" not in html
    # The person already known to the DAC is offered, and the creation link is pre-filled.
    assert "C'est cette personne : la rattacher à la demande" in html
    assert f"?person={person.pk}" in html
    assert "/personnes/nouvelle/?" in html and "birth_name=PETIT" in html
    assert "next=%2Fdemandes%2F" in html
    url = reverse("intake:request_attach_person", args=[request.pk])
    confirm = client.get(url, {"person": person.pk})
    assert confirm.status_code == 200
    assert "Rattacher" in text(confirm)
    request.refresh_from_db()
    assert request.person is None  # a GET changes nothing
    client.post(url, {"person": person.pk})
    request.refresh_from_db()
    assert request.person == person
    stranger = PersonFactory()
    other = SupportRequestFactory(dac=dac, person=None)
    url = reverse("intake:request_attach_person", args=[other.pk])
    assert client.post(url, {"person": stranger.pk}).status_code == 404


# --- Timeline and query count --------------------------------------------------------------------


def test_timeline_merges_events_answers_contacts_screening_and_letters(client, staff, dac):
    gp = ProfessionalFactory(first_name="Claire", last_name="Morel")
    person = PersonFactory(dac=dac, gp=gp, gp_status="known")
    request = SupportRequestFactory(
        dac=dac, person=person, requester_kind="carer", requester_professional=None
    )
    workflow.take_in_analysis(staff, request)
    screening.record_screening(staff, request, ["autonomy_loss"], False, "")
    services.log_contact(
        staff,
        request=request,
        kind="call_out",
        with_whom="Mme Roux (fille)",
        purpose="Préparer la visite",
    )
    workflow.give_response(staff, request, ResponseType.INFORMATION, "Informations données.")
    services.record_gp_information(staff, request, "mssante")
    workflow.close_request(staff, request)
    html = text(detail(client, request))
    history = html[html.index("Historique de la demande") :]
    order = [
        "Prise en analyse",
        "Repérage de la complexité : pas de complexité",
        "Appel passé — Mme Roux (fille)",
        "Réponse : information, conseil",
        f"Médecin traitant informé ({gp.display_name})",
        "Demande clôturée",
    ]
    positions = [history.index(label) for label in order]
    assert positions == sorted(positions)
    assert f"par {staff.user.get_full_name()}" in history


def test_request_page_query_count_is_bounded(client, staff, dac, django_assert_max_num_queries):
    gp = ProfessionalFactory()
    person = PersonFactory(dac=dac, gp=gp, gp_status="known")
    request = SupportRequestFactory(dac=dac, person=person)
    for label in ("Isolement", "Chutes répétées", "Troubles cognitifs"):
        request.reasons.add(RequestReasonFactory(dac=dac, label=label))
    MembershipFactory.create_batch(5, organisation=dac, role=Role.ASSISTANT)
    workflow.take_in_analysis(staff, request)
    screening.record_screening(staff, request, ["isolation", "autonomy_loss"], True, "Justifié.")
    for _ in range(15):
        ContactLogFactory(request=request, by=UserFactory())
    services_ = ServiceFactory.create_batch(4, professional=ProfessionalFactory())
    workflow.give_response(staff, request, ResponseType.INFORMATION, "Info.")
    workflow.give_response(
        staff,
        request,
        ResponseType.ORIENTATION,
        "Orientation.",
        services=services_,
        unmet_needs=[{"theme": "teleassistance", "commune": CommuneFactory()}],
    )
    services.record_gp_information(staff, request, "letter")
    services.record_gp_information(staff, request, "mssante")
    # +1: the header's notification bell counts the unread notices.
    with django_assert_max_num_queries(21):
        response = detail(client, request)
    assert response.status_code == 200
    assert Event.objects.filter(subject_id=str(request.pk)).count() >= 6
    # Answers and letters read on the page are logged against the person, found in one query
    # per kind of row when the log is written (not one query per row).
    logged = AccessLog.objects.filter(
        action="read", object_type__in=["intake.requestresponse", "intake.gpinformation"]
    )
    assert logged.count() == 4
    assert set(logged.values_list("person_id", flat=True)) == {person.pk}
    assert SupportRequest.objects.get(pk=request.pk).level == ""
    assert IntensityLevel.SHORT_TERM.label in text(response)


def test_the_prefilled_commune_alone_records_no_unmet_need(client, staff, dac):
    rieulay = CommuneFactory(insee_code="59501", name="Rieulay")
    request = SupportRequestFactory(dac=dac, person=PersonFactory(dac=dac, commune=rieulay))
    url = reverse("intake:request_respond", args=[request.pk])
    assert 'value="59501"' in text(client.get(url))
    data = {
        "response_type": "information",
        "summary": "Coordonnées du CLIC données.",
        "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "need_commune": "59501",
    }
    assert client.post(url, data).status_code == 302
    assert not UnmetNeed.objects.exists()
    unfinished = client.post(url, {**data, "need_description": "Pas de prestataire."})
    assert "Choisissez la thématique du besoin non couvert." in text(unfinished)
