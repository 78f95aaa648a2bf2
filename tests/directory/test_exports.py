import csv
import io
import json
from datetime import datetime

import pytest
from data_inclusion.schema.v1 import Service as DIService
from data_inclusion.schema.v1 import Structure as DIStructure
from django.utils import timezone

from appui.directory.enums import ImportFormat
from appui.directory.exports import CSV_COLUMNS, export_csv, export_data_inclusion
from appui.directory.importers import run_import
from appui.directory.models import Service
from appui.territory.enums import Sector
from appui.territory.models import Commune, Organisation
from tests.directory.conftest import DATA
from tests.factories import OrganisationFactory, ProfessionalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_communes")]


@pytest.fixture
def directory():
    """Services from data·inclusion and from the ROR, and two of our own."""
    for fmt, name in (
        (ImportFormat.DATA_INCLUSION, "data_inclusion_valid.json"),
        (ImportFormat.FHIR, "ror_bundle_valid.json"),
    ):
        assert run_import(fmt, (DATA / name).read_bytes()).applied
    raismes = Commune.objects.get(insee_code="59491")
    clic = OrganisationFactory(
        name="CLIC du Valenciennois (exemple)", commune=raismes, source="", source_id=""
    )
    own = Service.objects.create(
        organisation=clic,
        name="Soutien aux aidants",
        description="",
        sector=Sector.MEDICO_SOCIAL,
        themes=["aide-aux-aidants", "famille--soutien-aidants", "ssiad"],
        publics=["seniors", "aidants"],
        zone_codes=["59491", "245901160"],
        reception_modes=["a-domicile", "en-presentiel"],
        mobilisation_modes=["messagerie-securisee", "telephoner"],
        commune=raismes,
        address="2 rue du Test",
        postal_code="59590",
        phone="+33 3 53 01 00 50",
        verified_at=timezone.make_aware(datetime(2026, 1, 5, 10, 0)),
    )
    practitioner = ProfessionalFactory()
    Service.objects.create(
        professional=practitioner,
        name='=HYPERLINK("https://exemple.invalid")',
        sector=Sector.HEALTH,
        themes=["medecine-generale"],
        commune=raismes,
        accepting=False,
    )
    return own


def rows(lines) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines)), delimiter=";"))


def test_csv_has_a_french_header_and_one_row_per_service(directory):
    lines = list(export_csv(Service.objects.all()))
    assert lines[0].startswith("\ufeff") and lines[0].endswith("\r\n")
    table = rows(lines)
    assert table[0][0] == "\ufeff" + CSV_COLUMNS[0] and table[0][1:] == CSV_COLUMNS[1:]
    assert "Thématiques" in CSV_COLUMNS and "Dernière vérification" in CSV_COLUMNS
    assert len(table) == 1 + Service.objects.count() == 1 + 11 + 6 + 2
    by_name = {row[1]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in table[1:]}
    own = by_name["Soutien aux aidants"]
    assert own["Structure ou professionnel"] == "CLIC du Valenciennois (exemple)"
    assert own["Secteur"] == "Médico-social"
    assert own["Thématiques"] == (
        "Aide aux aidants | Soutien aux aidants | Service de soins infirmiers à domicile (SSIAD)"
    )
    assert own["Publics"] == "Personnes âgées | Aidants"
    assert own["Zone d'intervention"] == "59491 | 245901160"
    assert (own["Adresse"], own["Code postal"], own["Commune"]) == (
        "2 rue du Test",
        "59590",
        "Raismes",
    )
    assert own["Téléphone"] == "+33 3 53 01 00 50"  # a phone number is not a formula
    assert own["Accepte de nouvelles personnes"] == "oui"
    assert own["Dernière vérification"] == "05/01/2026"
    assert own["Source"] == "" and own["Identifiant à la source"] == ""
    imported = by_name["Soins infirmiers à domicile"]
    assert imported["Source"] == "ror" and imported["Identifiant à la source"] == "hs-ssiad-soins"
    assert imported["Horaires d'accueil"] == "lun.–dim. 07:30–19:30"
    # a cell that a spreadsheet would run as a formula is neutralised
    formula = next(row for row in table[1:] if "HYPERLINK" in row[1])
    assert formula[1].startswith("'=") and formula[12] == "non"
    practitioner = Service.objects.get(professional__isnull=False).professional
    assert formula[0] == practitioner.display_name


def test_csv_queries_stay_bounded(directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        lines = list(export_csv(Service.objects.all()))
    assert len(lines) == 1 + Service.objects.count()


def test_data_inclusion_export_validates_against_the_schema(directory):
    exported = export_data_inclusion(Service.objects.all())
    assert set(exported) == {"structures", "services"}
    for structure in exported["structures"]:
        DIStructure.model_validate(structure)
    for service in exported["services"]:
        DIService.model_validate(service)
    # the practitioner's service is left out: data·inclusion only knows structures
    assert len(exported["services"]) == Service.objects.filter(organisation__isnull=False).count()
    assert len(exported["structures"]) == 8 + 4 + 1
    json.dumps(exported)  # ready to be served as is

    own = next(s for s in exported["services"] if s["nom"] == "Soutien aux aidants")
    assert own["source"] == "appui" and own["id"].startswith("appui--")
    # our themes as their data·inclusion neighbours, without duplicates
    assert own["thematiques"] == ["famille--soutien-aidants", "sante--acces-aux-soins"]
    assert own["publics"] == ["seniors"]  # « aidants » is not a data·inclusion public
    assert own["modes_accueil"] == ["en-presentiel"]
    assert own["modes_mobilisation"] == ["telephoner"]
    assert own["description"] == "Soutien aux aidants"  # the schema requires a description
    assert own["code_insee"] == "59491" and "latitude" not in own
    structure = next(s for s in exported["structures"] if s["id"] == own["structure_id"])
    assert structure["nom"] == "CLIC du Valenciennois (exemple)"

    food = next(s for s in exported["services"] if s["id"] == "dora--ccas-aide-alimentaire")
    assert food["source"] == "dora" and food["structure_id"] == "dora--s-ccas-saint-amand"
    assert (food["latitude"], food["longitude"]) == (50.4482, 3.4301)
    assert food["date_maj"] == "2025-05-01"
    ror = next(s for s in exported["services"] if s["id"] == "hs-ssiad-soins")
    assert ror["source"] == "ror" and ror["structure_id"] == "590000022"
    assert ror["thematiques"] == ["sante--acces-aux-soins"]


def test_data_inclusion_export_reads_in_bounded_queries(directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        exported = export_data_inclusion(Service.objects.all())
    assert exported["services"]


def test_reimporting_the_export_creates_nothing_and_changes_nothing(directory):
    exported = export_data_inclusion(Service.objects.all())
    services, organisations = Service.objects.count(), Organisation.objects.count()
    report = run_import(ImportFormat.DATA_INCLUSION, json.dumps(exported).encode())
    assert report.applied and report.ok
    assert (report.created, report.updated, report.ignored) == (0, 0, 0)
    assert report.unchanged == len(exported["services"])
    assert Service.objects.count() == services and Organisation.objects.count() == organisations
    directory.refresh_from_db()
    # our finer codes survive the round trip
    assert directory.themes == ["aide-aux-aidants", "famille--soutien-aidants", "ssiad"]
    assert directory.publics == ["seniors", "aidants"] and directory.description == ""
    assert directory.source == "" and directory.source_updated_on is None


def test_an_export_from_another_installation_does_not_touch_our_records(directory, settings):
    settings.APPUI_INSTANCE_ID = "autre-installation"
    foreign = export_data_inclusion(Service.objects.filter(pk=directory.pk))
    del settings.APPUI_INSTANCE_ID
    report = run_import(ImportFormat.DATA_INCLUSION, json.dumps(foreign).encode())
    assert report.applied and report.created == 1
    copy = Service.objects.get(source="appui")
    assert copy.pk != directory.pk and copy.organisation_id != directory.organisation_id
    assert copy.source_id == f"appui--autre-installation-service-{directory.pk}"
