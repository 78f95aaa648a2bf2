from datetime import date

import pytest

from appui.directory.enums import THEMES, ImportFormat
from appui.directory.importers import run_import
from appui.directory.importers.finess import CATEGORIES, insee_code
from appui.directory.models import ImportRun, Service, flat_distance_km
from appui.territory.enums import OrganisationKind, Sector
from appui.territory.models import Commune, Organisation
from tests.directory.conftest import DATA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_communes")]


def finess(data: bytes, **kwargs):
    return run_import(ImportFormat.FINESS, data, filename="finess.csv", **kwargs)


def valid() -> bytes:
    return (DATA / "finess_valid.csv").read_bytes()


def test_valid_file_creates_one_organisation_and_one_service_per_establishment():
    report = finess(valid())
    assert report.applied and report.rejected == []
    assert (report.created, report.updated, report.unchanged, report.ignored) == (15, 0, 0, 1)
    assert report.rows == 16 + 15  # establishments + geolocation lines (the outside one included)
    assert Organisation.objects.filter(source="finess").count() == 15
    assert Service.objects.filter(source="finess").count() == 15
    assert not Organisation.objects.filter(finess_et="590001202").exists()  # Arras: outside
    run = ImportRun.objects.get()
    assert run.applied and run.created == 15


def test_fields_are_mapped_from_the_category_and_the_columns():
    finess(valid())
    ssiad = Service.objects.select_related("organisation", "commune").get(source_id="590001020")
    org = ssiad.organisation
    assert (org.source, org.source_id, org.finess_et, org.finess_ej) == (
        "finess",
        "590001020",
        "590001020",
        "590006029",
    )
    assert org.kind == OrganisationKind.SSIAD and org.name == "SSIAD DU PÉVÈLE FICTIF"
    assert len(org.siret) == 14 and org.phone == "0327000002"
    assert org.address == "4 avenue DU BEFFROI" and org.postal_code == "59230"
    assert org.commune.insee_code == "59526"
    assert ssiad.name == "Service de soins infirmiers à domicile"
    assert ssiad.sector == Sector.MEDICO_SOCIAL and ssiad.themes == ["ssiad"]
    assert ssiad.zone_codes == ["59526"] and ssiad.commune == org.commune
    assert ssiad.source_updated_on == date(2023, 11, 2)
    assert "590001020" in ssiad.description and "Soins Infirmiers" in ssiad.description
    assert "SSIAD DU PÉVÈLE FICTIF" in ssiad.search_text  # derived fields were computed

    hospital = Service.objects.get(source_id="590001012")
    assert hospital.organisation.kind == OrganisationKind.HOSPITAL
    assert hospital.sector == Sector.HEALTH and hospital.themes == ["hospitalisation"]
    assert hospital.organisation.name == "CENTRE HOSPITALIER DE DÉMONSTRATION DE SAINT-AMAND"

    ime = Service.objects.get(source_id="590001145")  # category 183, not in our table
    assert ime.organisation.kind == OrganisationKind.OTHER
    assert ime.name == "Institut Médico-Educatif (I.M.E.)" and ime.themes == []


@pytest.mark.parametrize(
    ("source_id", "kind", "themes"),
    [
        ("590001038", OrganisationKind.SAAD, ["aide-a-domicile"]),
        ("590001046", OrganisationKind.EHPAD, ["hebergement-permanent"]),
        ("590001053", OrganisationKind.HAD, ["had"]),
        ("590001061", OrganisationKind.PHARMACY, ["pharmacie"]),
        ("590001079", OrganisationKind.MSP, ["medecine-generale"]),
        ("590001087", OrganisationKind.OTHER, ["accueil-de-jour"]),
        ("590001103", OrganisationKind.SSIAD, ["ssiad", "aide-a-domicile"]),
        ("590001137", OrganisationKind.CLINIC, ["soins-de-suite"]),
    ],
)
def test_category_mapping(source_id, kind, themes):
    finess(valid())
    service = Service.objects.select_related("organisation").get(source_id=source_id)
    assert service.organisation.kind == kind and service.themes == themes


def test_every_mapped_theme_exists_in_the_vocabulary():
    used = {code for category in CATEGORIES.values() for code in category.themes}
    assert used and used <= set(THEMES)


def test_lambert93_coordinates_land_near_the_commune():
    finess(valid())
    for service in Service.objects.select_related("commune").exclude(source_id="590001152"):
        commune = service.commune
        assert service.located_at_address, service.source_id
        distance = flat_distance_km(
            service.latitude, service.longitude, commune.latitude, commune.longitude
        )
        assert 0.2 < distance < 1.5, (service.source_id, distance)  # ~0.5 km from the centre
    # Without a geolocation line: the commune centre, not marked as the address.
    pharmacy = Service.objects.select_related("commune").get(source_id="590001152")
    assert not pharmacy.located_at_address
    assert (pharmacy.latitude, pharmacy.longitude) == (
        pharmacy.commune.latitude,
        pharmacy.commune.longitude,
    )


def test_malformed_rows_are_listed_and_nothing_is_saved():
    report = finess((DATA / "finess_sample.csv").read_bytes())
    assert not report.applied
    assert [line for line, _ in report.rejected] == [7, 13, 20]
    reasons = dict(report.rejected)
    assert "numéro FINESS établissement « 59ABC0012 » invalide" in reasons[7]
    assert reasons[13].startswith("nombre de colonnes incorrect : 20")
    assert reasons[20] == "date de mise à jour « 2024-13-45 » illisible"
    assert Service.objects.count() == 0 and Organisation.objects.count() == 0
    run = ImportRun.objects.get()
    assert not run.applied and run.created == 0 and len(run.rejected) == 3


def test_skip_invalid_saves_the_valid_rows():
    report = finess((DATA / "finess_sample.csv").read_bytes(), skip_invalid=True)
    assert report.applied and len(report.rejected) == 3
    assert (report.created, report.ignored) == (15, 1)
    assert Service.objects.filter(source="finess").count() == 15
    assert not Organisation.objects.filter(finess_ej="590006300").exists()


def test_reimport_creates_no_duplicate_and_reports_unchanged():
    finess(valid())
    again = finess(valid())
    assert (again.created, again.updated, again.unchanged, again.ignored) == (0, 0, 15, 1)
    assert Service.objects.count() == 15 and Organisation.objects.count() == 15


def test_changed_row_is_updated_and_the_rest_unchanged():
    finess(valid())
    changed = valid().replace(b";0327000004;", b";0327999999;")
    report = finess(changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 14)
    ehpad = Service.objects.select_related("organisation").get(source_id="590001046")
    assert ehpad.phone == "0327999999" and ehpad.organisation.phone == "0327999999"


def test_zone_widened_by_the_dac_survives_a_reimport():
    finess(valid())
    Service.objects.filter(source_id="590001020").update(zone_codes=["59526", "59501"])
    report = finess(valid())
    assert report.unchanged == 15
    assert Service.objects.get(source_id="590001020").zone_codes == ["59526", "59501"]


def test_archived_service_stays_archived():
    finess(valid())
    Service.objects.get(source_id="590001020").delete()
    report = finess(valid())
    assert (report.unchanged, report.ignored) == (14, 2)
    assert Service.all_objects.filter(source_id="590001020").count() == 1
    assert not Service.objects.filter(source_id="590001020").exists()


def test_utf8_file_is_read_as_well():
    report = finess(valid().decode("latin-1").encode("utf-8"))
    assert report.applied and report.created == 15
    assert (
        Organisation.objects.get(finess_et="590001129").name == "CENTRE HOSPITALIER DE VIEUX-CONDÉ"
    )


def test_wrong_format_file_is_refused_with_a_french_message():
    report = finess(b"nom;prenom;ville\nDupont;Jean;Lille\n")
    assert not report.applied
    line, message = report.rejected[0]
    assert line == 0 and "n'est pas une extraction FINESS" in message
    assert Service.objects.count() == 0


def test_file_with_wrong_column_count_is_refused():
    report = finess(b"structureet;590001012;CH;59;526\nstructureet;590001020;SSIAD;59;526\n")
    assert not report.applied
    assert "comptent 5 colonnes au lieu de 31 ou 32" in report.rejected[0][1]


def test_header_row_is_read_by_name():
    data = (
        b"type;rs;nofinesset;departement;commune;categetab;libcategetab;ligneacheminement;datemaj\n"
        b"structureet;SSIAD TEST;590009999;59;501;354;SSIAD;59870 RIEULAY;15/01/2024\n"
    )
    report = finess(data)
    assert report.applied and report.created == 1
    service = Service.objects.select_related("organisation").get(source_id="590009999")
    assert service.organisation.name == "SSIAD TEST" and service.themes == ["ssiad"]
    assert service.commune.insee_code == "59501" and service.postal_code == "59870"
    assert service.source_updated_on == date(2024, 1, 15)


def test_header_missing_a_required_column_is_named():
    data = b"type;rs;nofinesset;departement;categetab\nstructureet;X;590009999;59;354\n"
    report = finess(data)
    assert not report.applied
    assert "colonne(s) manquante(s) : commune" in report.rejected[0][1]


@pytest.mark.parametrize(
    ("department", "commune", "expected"),
    [
        ("59", "526", "59526"),
        ("01", "451", "01451"),
        ("2A", "004", "2A004"),
        ("2b", "033", "2B033"),
        ("9A", "101", "97101"),  # Guadeloupe, FINESS département code
        ("9D", "411", "97411"),  # La Réunion
        ("974", "411", "97411"),
        ("59", "52", None),
        ("5", "526", None),
        ("XX", "526", None),
    ],
)
def test_insee_code_rule(department, commune, expected):
    assert insee_code(department, commune) == expected


def test_corsican_establishment_is_imported():
    Commune.objects.create(
        insee_code="2A004", name="Ajaccio", department_code="2A", latitude=41.93, longitude=8.74
    )
    line = ";".join(
        ["structureet", "2A0000012", "2A0000020", "SSIAD CORSE", "", "", "", "1", "R", "X", "", ""]
        + ["004", "2A", "CORSE-DU-SUD", "20000 AJACCIO", "", "", "354", "SSIAD", "", "", ""]
        + ["", "", "", "", "", "", "", "", "2024-01-01", ""]
    )
    report = finess(f"finess;etalab;100;2024-06-01\n{line}\n".encode())
    assert report.applied and report.created == 1
    assert Service.objects.get(source_id="2A0000012").commune.insee_code == "2A004"


def test_header_without_line_type_column():
    data = b"nofinesset;rs;departement;commune;categetab\n590009999;SAAD TEST;59;501;460\n"
    report = finess(data)
    assert report.applied and report.created == 1
    service = Service.objects.get(source_id="590009999")
    assert service.themes == ["aide-a-domicile"] and service.commune.insee_code == "59501"
