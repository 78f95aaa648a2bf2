import json
from datetime import date

import pytest

from appui.directory.enums import ImportFormat
from appui.directory.importers import run_import
from appui.directory.models import ImportRun, Service
from appui.territory.enums import OrganisationKind, Sector
from appui.territory.models import Organisation
from tests.directory.conftest import DATA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_communes")]
FORMAT = ImportFormat.DATA_INCLUSION


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def run(payload, **kwargs):
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return run_import(FORMAT, data, filename="data-inclusion.json", **kwargs)


def test_valid_file_creates_organisations_and_services_with_their_fields():
    report = run((DATA / "data_inclusion_valid.json").read_bytes())
    assert report.applied and report.ok
    # 12 services: 11 placed, the one outside the territory without a zone cannot be
    assert (report.created, report.updated, report.unchanged, report.ignored) == (11, 0, 0, 1)
    assert report.rows == 12
    assert Organisation.objects.filter(source__in=["dora", "soliguide"]).count() == 8
    assert Service.objects.count() == 11
    assert not Service.objects.filter(source_id="dora--mds-amiens").exists()
    run_record = ImportRun.objects.get()
    assert run_record.applied and run_record.created == 11

    ccas = Organisation.objects.get(source="dora", source_id="dora--s-ccas-saint-amand")
    assert ccas.name == "CCAS de Saint-Amand-les-Eaux" and ccas.kind == OrganisationKind.CCAS
    assert ccas.commune.insee_code == "59526" and ccas.postal_code == "59230"
    assert ccas.address == "12 rue de l'Exemple" and ccas.phone == "03 53 01 00 01"
    assert ccas.email == "accueil@ccas-saint-amand.example.org"
    assert ccas.website == "https://ccas-saint-amand.example.org" and len(ccas.siret) == 14
    kinds = dict(Organisation.objects.values_list("source_id", "kind"))
    assert kinds["dora--s-epicerie-scarpe"] == OrganisationKind.ASSOCIATION
    assert kinds["dora--s-mds-douai"] == OrganisationKind.DEPARTMENT_COUNCIL
    assert kinds["soliguide--s-repit-aidants"] == OrganisationKind.OTHER

    food = Service.objects.get(source="dora", source_id="dora--ccas-aide-alimentaire")
    assert food.organisation == ccas and food.name == "Aide alimentaire d'urgence"
    assert food.description.startswith("Colis alimentaires")
    assert food.themes == ["equipement-et-alimentation--alimentation"]
    assert food.publics == ["personnes-en-situation-durgence"]
    assert food.publics_details == "Habitants de la commune"
    assert food.access_details == "Sur évaluation sociale."
    assert food.fees == "gratuit" and food.zone_codes == ["59526"]
    assert food.reception_modes == ["en-presentiel"]
    assert food.mobilised_by == ["professionnels", "usagers"]
    assert food.mobilisation_modes == ["telephoner", "se-presenter"]
    assert food.mobilisation_details == "Appeler le standard du CCAS."
    assert (food.address, food.postal_code, food.commune.insee_code) == (
        "12 rue de l'Exemple",
        "59230",
        "59526",
    )
    assert food.located_at_address and (food.latitude, food.longitude) == (50.4482, 3.4301)
    assert food.phone == "03 53 01 00 01" and food.opening_hours == "Mo-Fr 08:30-12:00"
    assert food.source_updated_on == date(2025, 5, 1)
    assert food.sector == Sector.SOCIAL
    assert "CCAS de Saint-Amand-les-Eaux" in food.search_text  # derived fields were computed

    workshop = Service.objects.get(source_id="dora--tilleuls-numerique")
    assert workshop.fees == "payant" and workshop.fees_details == "2 € la séance"
    # no position of its own: placed at the centre of its commune
    assert not workshop.located_at_address
    assert (workshop.latitude, workshop.longitude) == (
        workshop.commune.latitude,
        workshop.commune.longitude,
    )
    link = Service.objects.get(source_id="dora--fs-somain-droits").mobilisation_link
    assert link == "https://france-services-somain.example.org/rendez-vous"
    # outside the known communes but with a zone: kept, without a commune
    arras = Service.objects.get(source_id="dora--mds-arras-relais")
    assert arras.commune is None and arras.zone_codes == ["62041"]
    assert arras.postal_code == "62000" and arras.latitude is None


def test_invalid_items_reject_the_whole_file_with_positions_and_reasons():
    report = run((DATA / "data_inclusion_sample.json").read_bytes())
    assert not report.applied
    assert report.rejected == [
        (9, "structure n°9 : champ « nom » : trop court (3 caractère(s) au minimum)."),
        (
            13,
            "service n°13 : champ « date_maj » : La date de dernière modification ne peut pas "
            "être dans le futur.",
        ),
        (
            14,
            "service n°14 : champ « thematiques[1] » : valeur inconnue du référentiel "
            "(« sante--inexistante »).",
        ),
        (
            15,
            "service n°15 : la structure « dora--s-nulle-part » est inconnue (absente du fichier "
            "et de l'annuaire).",
        ),
    ]
    assert Organisation.objects.count() == 0 and Service.objects.count() == 0
    assert report.summary().endswith("rien n'a été enregistré")
    assert ImportRun.objects.get().applied is False


def test_skip_invalid_saves_the_valid_items():
    report = run((DATA / "data_inclusion_sample.json").read_bytes(), skip_invalid=True)
    assert report.applied
    assert [line for line, _reason in report.rejected] == [9, 13, 14, 15]
    assert (report.created, report.ignored) == (11, 1)
    assert Service.objects.count() == 11
    assert Organisation.objects.count() == 8
    assert not Organisation.objects.filter(source_id="dora--s-trop-court").exists()


def test_a_service_of_a_rejected_structure_is_rejected_too():
    payload = {
        "structures": [{"source": "dora", "id": "dora--s-x", "nom": "X", "date_maj": "2025-01-01"}],
        "services": [
            {
                "source": "dora",
                "id": "dora--x-1",
                "structure_id": "dora--s-x",
                "nom": "Service orphelin",
                "description": "Sa structure est invalide.",
                "date_maj": "2025-01-01",
                "zone_eligibilite": ["59526"],
            }
        ],
    }
    report = run(payload, skip_invalid=True)
    assert report.rejected[1] == (1, "service n°1 : la structure « dora--s-x » a été rejetée.")
    assert report.created == 0 and Service.objects.count() == 0


def test_reimport_creates_no_duplicate_and_reports_unchanged():
    run((DATA / "data_inclusion_valid.json").read_bytes())
    again = run((DATA / "data_inclusion_valid.json").read_bytes())
    assert again.applied
    assert (again.created, again.updated, again.unchanged, again.ignored) == (0, 0, 11, 1)
    assert Service.objects.count() == 11 and Organisation.objects.count() == 8


def test_a_changed_item_is_updated():
    run((DATA / "data_inclusion_valid.json").read_bytes())
    payload = load("data_inclusion_valid.json")
    payload["services"][0]["nom"] = "Aide alimentaire"
    payload["services"][0]["zone_eligibilite"] = ["59526", "59491"]
    payload["structures"][0]["telephone"] = "03 53 01 09 99"
    report = run(payload)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 10)
    service = Service.objects.get(source_id="dora--ccas-aide-alimentaire")
    assert service.name == "Aide alimentaire" and service.zone_codes == ["59526", "59491"]
    assert service.updated_at > service.created_at
    assert Organisation.objects.get(source_id="dora--s-ccas-saint-amand").phone == "03 53 01 09 99"


def test_a_local_finer_theme_survives_a_reimport():
    run((DATA / "data_inclusion_valid.json").read_bytes())
    cafe = Service.objects.get(source_id="dora--tilleuls-aidants")
    cafe.themes = ["aide-aux-aidants"]  # ours; exported as famille--soutien-aidants
    cafe.save()
    report = run((DATA / "data_inclusion_valid.json").read_bytes())
    assert report.unchanged == 11
    cafe.refresh_from_db()
    assert cafe.themes == ["aide-aux-aidants"]


def test_plain_lists_of_structures_or_services_are_recognised():
    payload = load("data_inclusion_valid.json")
    structures = run(payload["structures"])
    assert structures.applied and structures.created == 8  # structures only: they are counted
    services = run(payload["services"])
    assert services.applied and (services.created, services.ignored) == (11, 1)
    assert Service.objects.filter(organisation__source="dora").count() == 8


def test_an_api_page_is_accepted():
    payload = load("data_inclusion_valid.json")
    run(payload["structures"])
    report = run({"items": payload["services"], "total": 12, "page": 1})
    assert report.applied and report.created == 11


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<xml/>", "Fichier illisible : ce n'est pas du JSON valide (ligne 1, colonne 1)."),
        (b"\xff\xfe\x00", "Fichier illisible : encodage non reconnu (UTF-8 attendu)."),
        (b'{"resourceType": "Bundle"}', "Format non reconnu"),
        (b'{"structures": {"id": 1}}', "« structures » et « services » doivent être des listes"),
        (b'{"structures": [], "services": []}', "aucune structure ni aucun service"),
    ],
)
def test_wrong_format_is_refused_with_a_clear_french_message(data, message):
    report = run(data)
    assert not report.applied
    assert len(report.rejected) == 1 and report.rejected[0][0] == 0
    assert message in report.rejected[0][1]
    assert Organisation.objects.count() == 0


def test_an_item_that_is_not_an_object_is_rejected():
    report = run({"structures": ["pas un objet"], "services": []})
    assert report.rejected == [(1, "structure n°1 : un objet JSON est attendu.")]


def test_a_duplicated_identifier_is_rejected():
    payload = load("data_inclusion_valid.json")
    payload["services"].append(dict(payload["services"][0], nom="Doublon"))
    report = run(payload)
    assert report.rejected == [
        (13, "service n°13 : identifiant « dora--ccas-aide-alimentaire » déjà présent au n°1.")
    ]
