"""Directory pages: search, service sheet and edits, upkeep, unmet needs, permissions, queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.directory.models import Service, UnmetNeed
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    ProfessionalFactory,
    ServiceFactory,
    UnmetNeedFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rieulay():
    return CommuneFactory(insee_code="59501", name="Rieulay", latitude=50.377, longitude=3.253)


def service_data(**overrides):
    data = {
        "name": "Portage de repas à domicile",
        "description": "Repas livrés du lundi au samedi.",
        "sector": "social",
        "themes": ["portage-repas"],
        "publics": ["seniors"],
        "zone_codes": "59501, 59",
        "reception_modes": ["a-domicile"],
        "mobilised_by": ["professionnels", "usagers"],
        "mobilisation_modes": ["telephoner"],
        "commune": "59501",
        "phone": "03 27 00 00 00",
        "accepting": "on",
        "verified": "on",
    }
    data.update(overrides)
    return data


def test_search_page_lists_ranked_results_with_reasons(client, login, rieulay):
    login(Role.ASSISTANT)
    ServiceFactory.create_batch(30, meals=True, zone_codes=["59501"])
    ServiceFactory(name="Téléassistance", themes=["teleassistance"], zone_codes=["59526"])
    response = client.get(reverse("directory:search"), {"q": "portage repas", "commune": "59501"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "30 services" in html
    assert "« portage », « repas » dans le nom" in html
    assert "Intervient dans la commune" in html
    assert "Enregistrer un besoin non couvert" in html
    page_two = client.get(reverse("directory:search"), {"q": "repas", "page": 2})
    assert page_two.status_code == 200


def test_search_page_query_count_is_bounded(client, login, rieulay, django_assert_max_num_queries):
    login(Role.COORDINATOR)
    pros = ProfessionalFactory.create_batch(5)
    for pro in pros:
        ServiceFactory(
            organisation=None, professional=pro, commune=rieulay, themes=["kinesitherapie"]
        )
    ServiceFactory.create_batch(40, meals=True, zone_codes=["59"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("directory:search"), {"q": "repas", "commune": "59501"})
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        client.get(reverse("directory:search"), {"theme": "kinesitherapie", "commune": "59501"})


def test_empty_search_offers_to_record_an_unmet_need_prefilled(client, login, rieulay):
    login(Role.ASSISTANT)
    response = client.get(reverse("directory:search"), {"q": "téléassistance", "commune": "59501"})
    html = response.content.decode()
    assert "Aucun service ne correspond" in html
    assert "theme=teleassistance" in html and "commune=59501" in html


def test_service_detail_logs_professional_read_and_shows_verification(client, login):
    membership = login(Role.ASSISTANT)
    service = ServiceFactory(
        organisation=None, professional=ProfessionalFactory(), verified_at=None
    )
    response = client.get(reverse("directory:service_detail", args=[service.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "jamais vérifiées" in html
    from appui.core.models import AccessLog

    assert AccessLog.objects.filter(
        user=membership.user,
        object_type="territory.professional",
        object_id=str(service.professional_id),
    ).exists()


def test_staff_creates_a_service_for_a_structure(client, login, rieulay):
    membership = login(Role.COORDINATOR)
    organisation = OrganisationFactory(commune=rieulay)
    response = client.post(
        reverse("directory:service_create", args=[organisation.pk]), service_data()
    )
    service = Service.objects.get(name="Portage de repas à domicile")
    assert response.status_code == 302
    assert service.organisation == organisation
    assert service.zone_codes == ["59501", "59"]
    assert service.verified_by == membership.user
    event = Event.objects.get(subject_type="directory.service", subject_id=str(service.pk))
    assert event.verb == "created" and event.actor == membership.user


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"zone_codes": "5950, abc"}, "Code non reconnu"),
        ({"zone_codes": "59999"}, "Commune inconnue"),
        ({"themes": []}, "Ce champ est obligatoire"),
        ({"name": ""}, "Ce champ est obligatoire"),
        ({"radius_km": "500"}, "Le rayon doit être compris"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, login, rieulay, overrides, message):
    login(Role.COORDINATOR)
    organisation = OrganisationFactory(commune=rieulay)
    response = client.post(
        reverse("directory:service_create", args=[organisation.pk]), service_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Service.objects.exists()


def test_partner_edits_only_its_own_services(client, rieulay):
    own_org, other_org = OrganisationFactory(commune=rieulay), OrganisationFactory(commune=rieulay)
    membership = MembershipFactory(role=Role.PARTNER, organisation=own_org)
    client.force_login(membership.user)
    own = ServiceFactory(organisation=own_org)
    other = ServiceFactory(organisation=other_org)
    assert client.get(reverse("directory:service_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("directory:service_edit", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("directory:service_edit", args=[other.pk]), service_data(name="Piratage")
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name != "Piratage"
    assert client.post(reverse("directory:service_verify", args=[other.pk])).status_code == 404
    assert client.get(reverse("directory:service_create", args=[other_org.pk])).status_code == 404
    assert client.get(reverse("directory:service_create", args=[own_org.pk])).status_code == 200
    response = client.post(
        reverse("directory:service_edit", args=[own.pk]), service_data(name="Nouveau nom")
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Nouveau nom"
    mine = client.get(reverse("directory:search"), {"mine": "on"}).content.decode()
    assert "Nouveau nom" in mine and other.name not in mine


def test_partner_professional_edits_its_own_practice_service(client, rieulay):
    membership = MembershipFactory(role=Role.PARTNER, organisation=OrganisationFactory())
    professional = ProfessionalFactory(user=membership.user)
    service = ServiceFactory(organisation=None, professional=professional, commune=rieulay)
    client.force_login(membership.user)
    assert client.get(reverse("directory:service_edit", args=[service.pk])).status_code == 200


def test_medical_support_role_cannot_edit_the_directory(client, login):
    login(Role.SUPPORT_PHYSICIAN)
    service = ServiceFactory()
    assert client.get(reverse("directory:service_edit", args=[service.pk])).status_code == 403


def test_verification_and_stale_flag(client, login):
    membership = login(Role.ASSISTANT)
    stale = ServiceFactory(name="Ancien", verified_at=timezone.now() - timedelta(days=400))
    fresh = ServiceFactory(name="Récent", verified_at=timezone.now() - timedelta(days=10))
    assert stale.needs_verification and not fresh.needs_verification
    listing = client.get(reverse("directory:search"), {"to_verify": "on"}).content.decode()
    assert "Ancien" in listing and "Récent" not in listing
    client.post(reverse("directory:service_verify", args=[stale.pk]))
    stale.refresh_from_db()
    assert not stale.needs_verification
    assert stale.verified_by == membership.user
    assert Event.objects.filter(subject_id=str(stale.pk), verb="verified").exists()


def test_archiving_keeps_the_record_and_hides_it(client, login):
    login(Role.COORDINATOR)
    service = ServiceFactory(name="Service fermé")
    response = client.post(reverse("directory:service_archive", args=[service.pk]))
    assert response.status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()
    assert Service.all_objects.get(pk=service.pk).deleted_at is not None
    assert Event.objects.filter(subject_id=str(service.pk), verb="archived").exists()


def test_unmet_need_recorded_from_a_search_and_counted(client, login, rieulay):
    membership = login(Role.ASSISTANT)
    form = client.get(
        reverse("directory:unmet_need_create"),
        {"theme": "teleassistance", "commune": "59501", "public": "seniors", "q": "téléassistance"},
    )
    assert 'value="59501"' in form.content.decode()
    response = client.post(
        reverse("directory:unmet_need_create"),
        {
            "theme": "teleassistance",
            "commune": "59501",
            "public": "seniors",
            "description": "Aucun prestataire à Rieulay.",
            "search_query": "téléassistance",
            "noted_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    need = UnmetNeed.objects.get()
    assert need.dac == membership.organisation and need.commune == rieulay
    assert need.created_by == membership.user
    UnmetNeedFactory(dac=membership.organisation, commune=rieulay, theme="teleassistance")
    UnmetNeedFactory(dac=membership.organisation, commune=rieulay, theme="dieteticien")
    UnmetNeedFactory(theme="teleassistance")  # another DAC's: not counted here
    page = client.get(reverse("directory:unmet_needs")).content.decode()
    assert "<strong>3</strong> besoins non couverts" in page
    assert "<td>Téléassistance</td><td>2</td>" in page
    assert "<td>Rieulay</td><td>3</td>" in page


def test_unmet_need_needs_theme_and_commune(client, login):
    login(Role.ASSISTANT)
    response = client.post(
        reverse("directory:unmet_need_create"), {"theme": "", "commune": "Nulle-Part"}
    )
    html = response.content.decode()
    assert "Ce champ est obligatoire" in html and "Commune inconnue" in html
    assert not UnmetNeed.objects.exists()


def test_unmet_needs_period_filter_and_query_count(client, login, django_assert_max_num_queries):
    membership = login(Role.DIRECTOR)
    today = timezone.localdate()
    for days in (5, 40, 400):
        UnmetNeedFactory(dac=membership.organisation, noted_on=today - timedelta(days=days))
    UnmetNeedFactory.create_batch(30, dac=membership.organisation)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("directory:unmet_needs"),
            {"start": (today - timedelta(days=60)).isoformat(), "end": today.isoformat()},
        )
    assert "<strong>32</strong>" in response.content.decode()


def test_partner_and_pilot_have_no_unmet_needs_page(client):
    for role in (Role.PARTNER, Role.REGIONAL_PILOT):
        membership = MembershipFactory(role=role)
        client.force_login(membership.user)
        assert client.get(reverse("directory:unmet_needs")).status_code == 403
        assert client.get(reverse("directory:unmet_need_create")).status_code == 403


def test_import_page_is_for_director_and_admin(client):
    for role, status in ((Role.DIRECTOR, 200), (Role.ADMIN, 200), (Role.ASSISTANT, 403)):
        membership = MembershipFactory(role=role)
        client.force_login(membership.user)
        assert client.get(reverse("directory:imports")).status_code == status


def test_service_pages_have_a_bounded_query_count(client, login, django_assert_max_num_queries):
    login(Role.COORDINATOR)
    service = ServiceFactory(
        organisation=None,
        professional=ProfessionalFactory(),
        zone_codes=["59501", "59526", "59"],
    )
    for name in ("directory:service_detail", "directory:service_edit"):
        with django_assert_max_num_queries(12):
            response = client.get(reverse(name, args=[service.pk]))
        assert response.status_code == 200
