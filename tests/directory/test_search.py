"""Search relevance: accents, stemming, multi-word, coverage, publics, ranking by distance."""

import pytest

from appui.directory.search import SearchParams, explain, search_services, terms
from tests.factories import CommuneFactory, OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    # Rieulay, a neighbour 8 km away, Saint-Amand 13 km away, and a far commune (Lille, 35 km).
    return {
        "rieulay": CommuneFactory(
            insee_code="59501",
            name="Rieulay",
            latitude=50.377,
            longitude=3.253,
            epci_code="200044618",
        ),
        "marchiennes": CommuneFactory(
            insee_code="59375", name="Marchiennes", latitude=50.404, longitude=3.281
        ),
        "saint_amand": CommuneFactory(
            insee_code="59526", name="Saint-Amand-les-Eaux", latitude=50.448, longitude=3.428
        ),
        "lille": CommuneFactory(insee_code="59350", name="Lille", latitude=50.629, longitude=3.057),
    }


def names(params, **kwargs):
    return [s.name for s in search_services(SearchParams(**params), **kwargs)]


def test_terms_fold_accents_and_drop_stopwords():
    assert terms("Portage de REPAS à domicile") == ["portage", "repas", "domicile"]
    assert terms("Hôpital") == ["hopital"]


def test_accents_and_case_are_ignored(communes):
    ServiceFactory(name="Consultations de l'Hôpital de jour")
    assert names({"q": "hopital"}) == ["Consultations de l'Hôpital de jour"]
    assert names({"q": "HÔPITAL"}) == ["Consultations de l'Hôpital de jour"]


def test_multi_word_search_needs_every_word(communes):
    ServiceFactory(name="Portage de repas à domicile", themes=["portage-repas"])
    ServiceFactory(name="Aide à domicile", themes=["aide-a-domicile"])
    assert names({"q": "portage repas"}) == ["Portage de repas à domicile"]
    assert set(names({"q": "domicile"})) == {"Portage de repas à domicile", "Aide à domicile"}


def test_stemming_and_theme_keywords(communes):
    ServiceFactory(name="Soins infirmiers", themes=["soins-infirmiers-domicile"])
    ServiceFactory(
        name="Présence Verte", themes=["teleassistance"], description="Un bip au poignet."
    )
    assert names({"q": "infirmières"}) == ["Soins infirmiers"]
    # "téléalarme" is not in the name: it is a keyword of the téléassistance theme.
    assert names({"q": "téléalarme"}) == ["Présence Verte"]


def test_coverage_by_commune_epci_department_national_and_radius(communes):
    rieulay = communes["rieulay"]
    org = OrganisationFactory(commune=communes["saint_amand"])
    listed = ServiceFactory(organisation=org, name="Listée", zone_codes=["59501"])
    epci = ServiceFactory(organisation=org, name="EPCI", zone_codes=["200044618"])
    department = ServiceFactory(organisation=org, name="Département", zone_codes=["59"])
    national = ServiceFactory(organisation=org, name="National", zone_codes=["france"])
    near = ServiceFactory(
        organisation=OrganisationFactory(commune=communes["marchiennes"]),
        name="Rayon 10 km",
        zone_codes=[],
        radius_km=10,
    )
    ServiceFactory(organisation=org, name="Rayon trop court", zone_codes=[], radius_km=5)
    ServiceFactory(organisation=org, name="Ailleurs", zone_codes=["59526"])
    found = names({"commune": rieulay, "only_covering": True})
    assert set(found) == {s.name for s in (listed, epci, department, national, near)}
    for service in (listed, epci, department, national, near):
        assert service.covers(rieulay)
    reasons = explain(listed, SearchParams(commune=rieulay)).reasons
    assert reasons == ["intervient à Rieulay"]


def test_a_service_is_known_to_serve_its_own_commune(communes):
    ServiceFactory(
        organisation=OrganisationFactory(commune=communes["rieulay"]), name="Ici", zone_codes=[]
    )
    assert names({"commune": communes["rieulay"], "only_covering": True}) == ["Ici"]


def test_without_the_coverage_filter_covering_services_come_first(communes):
    far = ServiceFactory(
        organisation=OrganisationFactory(commune=communes["lille"]),
        name="Portage de repas lillois",
        themes=["portage-repas"],
        zone_codes=["59350"],
    )
    close = ServiceFactory(
        organisation=OrganisationFactory(commune=communes["saint_amand"]),
        name="Portage de repas amandinois",
        themes=["portage-repas"],
        zone_codes=["59501"],
    )
    results = list(search_services(SearchParams(q="repas", commune=communes["rieulay"])))
    assert [s.pk for s in results] == [close.pk, far.pk]
    hit = explain(results[1], SearchParams(q="repas", commune=communes["rieulay"]))
    assert hit.covers is False
    assert "n'intervient pas à Rieulay" in hit.reasons


def test_equal_relevance_is_ranked_by_distance(communes):
    for commune in ("lille", "saint_amand", "marchiennes"):
        ServiceFactory(
            organisation=OrganisationFactory(commune=communes[commune]),
            name=f"Accueil de jour {communes[commune].name}",
            themes=["accueil-de-jour"],
            zone_codes=["59"],
        )
    found = names({"q": "accueil de jour", "commune": communes["rieulay"]})
    assert found == [
        "Accueil de jour Marchiennes",
        "Accueil de jour Saint-Amand-les-Eaux",
        "Accueil de jour Lille",
    ]
    hit = explain(
        search_services(SearchParams(q="accueil", commune=communes["rieulay"]))[0],
        SearchParams(q="accueil", commune=communes["rieulay"]),
    )
    assert 3 < hit.distance_km < 5


def test_a_match_in_the_name_ranks_above_a_match_in_the_description(communes):
    ServiceFactory(name="Aide aux aidants", description="Accueil, écoute.", themes=[])
    ServiceFactory(name="Plateforme de répit", description="Soutien psychologique.", themes=[])
    ServiceFactory(name="Soutien psychologique", description="Consultations.", themes=[])
    assert names({"q": "soutien psychologique"}) == ["Soutien psychologique", "Plateforme de répit"]


def test_publics_filter_includes_services_open_to_everyone(communes):
    ServiceFactory(name="Pour les aînés", publics=["seniors"])
    ServiceFactory(name="Tous publics", publics=["tous-publics"])
    ServiceFactory(name="Sans précision", publics=[])
    ServiceFactory(name="Pour les enfants", publics=["enfants"])
    assert set(names({"public": "seniors"})) == {"Pour les aînés", "Tous publics", "Sans précision"}


def test_theme_sector_mode_and_availability_filters(communes):
    ServiceFactory(
        name="SSIAD complet", themes=["ssiad"], accepting=False, reception_modes=["a-domicile"]
    )
    ServiceFactory(name="SSIAD ouvert", themes=["ssiad"], reception_modes=["a-domicile"])
    ServiceFactory(
        name="CCAS", themes=["service-social"], sector="social", reception_modes=["en-presentiel"]
    )
    assert set(names({"theme": "ssiad"})) == {"SSIAD complet", "SSIAD ouvert"}
    assert names({"theme": "ssiad", "available_now": True}) == ["SSIAD ouvert"]
    assert names({"sector": "social"}) == ["CCAS"]
    assert set(names({"mode": "a-domicile"})) == {"SSIAD complet", "SSIAD ouvert"}


def test_archived_services_are_not_found(communes):
    service = ServiceFactory(name="Portage de repas fermé", themes=["portage-repas"])
    service.delete()
    assert names({"q": "repas"}) == []


def test_edits_are_indexed_at_once(communes):
    service = ServiceFactory(name="Service", themes=[])
    assert names({"q": "ergothérapie"}) == []
    service.name = "Ergothérapie à domicile"
    service.save()
    assert names({"q": "ergotherapie"}) == ["Ergothérapie à domicile"]


def test_ranked_results_pages_match_the_full_ranking(communes):
    """The covering-first shortcut returns exactly the pages of the whole ranking."""
    from appui.directory.search import RankedResults

    for index in range(7):
        ServiceFactory(
            organisation=OrganisationFactory(commune=communes["lille"]),
            name=f"Aide {index}",
            zone_codes=["59501"] if index % 3 == 0 else ["59350"],
        )
    params = SearchParams(q="aide", commune=communes["rieulay"])
    full = [s.pk for s in search_services(params)]
    results = RankedResults(params)
    assert results.count() == 7 and not results.capped
    paged = [s.pk for start in range(0, 7, 2) for s in results[start : start + 2]]
    assert paged == full
    assert [s.covers_commune for s in results[0:3]] == [True, True, True]


def test_counting_stops_past_the_cap(communes):
    from appui.directory.search import RankedResults

    ServiceFactory.create_batch(5, name="Portage de repas", themes=["portage-repas"])
    results = RankedResults(SearchParams(q="repas"), cap=3)
    assert results.count() == 4 and results.capped
    assert len(results[0:10]) == 5
