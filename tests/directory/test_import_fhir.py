import json
from datetime import date

import pytest

from appui.directory.enums import ImportFormat
from appui.directory.importers import run_import
from appui.directory.importers.fhir import opening_hours
from appui.directory.models import Service
from appui.territory.enums import OrganisationKind, Sector
from appui.territory.models import Organisation
from tests.directory.conftest import DATA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_communes")]
FORMAT = ImportFormat.FHIR
FINESS = {"ch": "590000014", "ssiad": "590000022", "had": "590000030", "msp": "590000048"}


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def run(payload, **kwargs):
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return run_import(FORMAT, data, filename="ror.json", **kwargs)


def resource(bundle: dict, resource_id: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == resource_id)


def test_valid_bundle_maps_organisations():
    report = run((DATA / "ror_bundle_valid.json").read_bytes())
    assert report.applied and report.ok
    assert (report.created, report.updated, report.unchanged, report.ignored) == (6, 0, 0, 0)
    assert Organisation.objects.filter(source="ror").count() == 4

    hospital = Organisation.objects.get(source="ror", source_id=FINESS["ch"])
    assert hospital.name == "Centre hospitalier de Saint-Amand (exemple)"
    assert hospital.finess_et == FINESS["ch"] and hospital.kind == OrganisationKind.HOSPITAL
    assert hospital.commune.insee_code == "59526" and hospital.postal_code == "59230"
    assert hospital.address == "1 rue de l'Hôpital Fictif" and hospital.phone == "03 53 01 10 00"
    assert hospital.email == "standard@ch-saint-amand.example.org"
    assert hospital.website == "https://ch-saint-amand.example.org"
    ssiad = Organisation.objects.get(source_id=FINESS["ssiad"])
    # 59870 is shared by Marchiennes and Rieulay: the city name decides
    assert ssiad.kind == OrganisationKind.SSIAD and ssiad.commune.insee_code == "59375"
    assert ssiad.mssante_address == "ssiad.scarpe@exemple.mssante.fr" and ssiad.email == ""
    # no address of its own: the Location it manages gives one
    had = Organisation.objects.get(source_id=FINESS["had"])
    assert had.kind == OrganisationKind.HAD and had.commune.insee_code == "59606"
    assert had.address == "20 avenue Imaginaire"
    # FINESS through idNat_Struct (prefix 1), SIRET through the Sirene system
    msp = Organisation.objects.get(source_id=FINESS["msp"])
    assert msp.finess_et == FINESS["msp"] and msp.siret == "80000004400019"
    assert msp.kind == OrganisationKind.MSP and msp.commune.insee_code == "59574"


def test_valid_bundle_maps_services():
    run((DATA / "ror_bundle_valid.json").read_bytes())
    services = {s.source_id: s for s in Service.objects.filter(source="ror")}
    assert set(services) == {
        "hs-ch-urgences",
        "hs-ch-medecine",
        "hs-ssiad-soins",
        "hs-had-soins",
        "hs-had-palliatif",
        "hs-msp-medecine",
    }
    emergency = services["hs-ch-urgences"]
    assert emergency.organisation.source_id == FINESS["ch"]
    assert emergency.themes == ["hospitalisation"] and emergency.sector == Sector.HEALTH
    assert emergency.opening_hours == "lun.–dim. 24 h/24"
    assert emergency.commune.insee_code == "59526" and emergency.located_at_address
    assert (emergency.latitude, emergency.longitude) == (50.4461, 3.4302)
    assert emergency.source_updated_on == date(2026, 3, 2)

    consultations = services["hs-ch-medecine"]
    assert consultations.themes == ["medecine-generale"]
    assert consultations.opening_hours == "lun.–ven. 09:00–12:00, 14:00–17:00 ; sam. 09:00–12:00"
    assert consultations.availability_note == "Fermeture estivale (du 01/08/2030 au 15/08/2030)"
    assert consultations.access_conditions == ["sur-rendez-vous"]
    assert (consultations.phone, consultations.phone_2) == ("03 53 01 10 20", "03 53 01 10 21")
    assert consultations.email == "consultations@ch-saint-amand.example.org"
    assert consultations.description == "Consultations sans dépassement d'honoraires."
    assert consultations.address == "1 rue de l'Hôpital Fictif"

    nursing = services["hs-ssiad-soins"]
    assert nursing.themes == ["ssiad"]  # unknown code ignored, the FINESS category decides
    assert nursing.sector == Sector.MEDICO_SOCIAL
    assert nursing.zone_codes == ["59375", "59501", "59574"]
    assert nursing.commune.insee_code == "59375" and not nursing.located_at_address
    assert nursing.access_details == (
        "Conditions : Personnes âgées de 60 ans et plus — Sur prescription médicale"
    )
    assert nursing.opening_hours == "lun.–dim. 07:30–19:30"

    home_hospital = services["hs-had-soins"]
    assert home_hospital.themes == ["had"] and home_hospital.zone_codes == ["59"]
    assert home_hospital.commune is None  # placed by its coverage area only
    assert home_hospital.description == "Admission sur demande du médecin traitant ou hospitalier."

    palliative = services["hs-had-palliatif"]
    assert palliative.availability_note == ""  # a closure that is over is left out
    assert palliative.access_details == "Programme : Parcours de soins palliatifs"
    assert palliative.commune.insee_code == "59606"

    practice = services["hs-msp-medecine"]
    assert practice.opening_hours == "lun., mar., jeu. 08:00–19:00 ; mer., ven. 08:00–12:00"
    assert practice.commune.insee_code == "59574" and practice.themes == ["medecine-generale"]


def test_invalid_entries_reject_the_whole_bundle_with_positions_and_reasons():
    report = run((DATA / "ror_bundle_sample.json").read_bytes())
    assert not report.applied
    assert report.rejected == [
        (
            5,
            "entrée n°5 (Organization « org-invalide ») : champ « active » : vrai ou faux attendu.",
        ),
        (
            9,
            "entrée n°9 (HealthcareService « hs-horaire-invalide ») : champ "
            "« availableTime[1].availableStartTime » : heure invalide (HH:MM:SS attendu).",
        ),
        (
            13,
            "entrée n°13 (HealthcareService « hs-orpheline ») : organisation "
            "« Organization/org-inconnue » introuvable dans le Bundle et dans l'annuaire.",
        ),
    ]
    assert Organisation.objects.count() == 0 and Service.objects.count() == 0


def test_skip_invalid_saves_the_valid_entries():
    report = run((DATA / "ror_bundle_sample.json").read_bytes(), skip_invalid=True)
    assert report.applied and [line for line, _ in report.rejected] == [5, 9, 13]
    assert report.created == 6
    assert Service.objects.filter(source="ror").count() == 6
    assert Organisation.objects.filter(source="ror").count() == 4


def test_reimport_creates_no_duplicate_and_reports_unchanged():
    run((DATA / "ror_bundle_valid.json").read_bytes())
    again = run((DATA / "ror_bundle_valid.json").read_bytes())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert Service.objects.count() == 6 and Organisation.objects.count() == 4


def test_a_changed_entry_is_updated_and_keeps_local_access_conditions():
    run((DATA / "ror_bundle_valid.json").read_bytes())
    service = Service.objects.get(source_id="hs-ch-medecine")
    service.access_conditions = ["prescription-medicale", "sur-rendez-vous"]
    service.save()
    bundle = load("ror_bundle_valid.json")
    changed = resource(bundle, "hs-ch-medecine")
    changed["name"] = "Consultations de médecine polyvalente"
    changed["appointmentRequired"] = False
    report = run(bundle)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    service.refresh_from_db()
    assert service.name == "Consultations de médecine polyvalente"
    assert service.access_conditions == ["prescription-medicale"]


def test_a_bundle_of_organisations_only_counts_them():
    bundle = load("ror_bundle_valid.json")
    bundle["entry"] = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] != "HealthcareService"
    ]
    report = run(bundle)
    assert report.applied and report.created == 4
    assert Service.objects.count() == 0


def test_a_service_whose_provider_is_already_known_is_attached_to_it():
    run((DATA / "ror_bundle_valid.json").read_bytes())
    bundle = load("ror_bundle_valid.json")
    service = resource(bundle, "hs-msp-medecine")
    service["id"] = "hs-msp-nouveau"
    service["providedBy"] = {"reference": f"Organization/{FINESS['msp']}"}
    entries = [{"resource": service}, {"resource": resource(bundle, "loc-msp")}]
    report = run({"resourceType": "Bundle", "type": "collection", "entry": entries})
    assert report.applied and report.created == 1
    added = Service.objects.get(source_id="hs-msp-nouveau")
    assert added.organisation.source_id == FINESS["msp"]
    assert added.commune.insee_code == "59574"


def test_a_service_that_cannot_be_placed_is_ignored():
    bundle = load("ror_bundle_valid.json")
    service = resource(bundle, "hs-had-soins")
    service.pop("coverageArea")
    report = run(bundle)
    assert report.applied and (report.created, report.ignored) == (5, 1)
    assert not Service.objects.filter(source_id="hs-had-soins").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b'{"resourceType": "Patient", "id": "p1"}',
            "Ce fichier n'est pas un Bundle FHIR (« Patient »)",
        ),
        (b"[1, 2]", "Ce fichier n'est pas un Bundle FHIR (aucun type de ressource)"),
        (b"resourceType=Bundle", "Fichier illisible : ce n'est pas du JSON valide"),
        (b'{"resourceType": "Bundle", "type": "collection"}', "ne contient aucune entrée"),
    ],
)
def test_wrong_format_is_refused_with_a_clear_french_message(data, message):
    report = run(data)
    assert not report.applied
    assert report.rejected[0][0] == 0 and message in report.rejected[0][1]
    assert Organisation.objects.count() == 0


def test_opening_hours_reads_the_ror_day_numbers():
    from fhir.resources.R4B.healthcareservice import HealthcareService

    service = HealthcareService.model_validate(
        {
            "resourceType": "HealthcareService",
            "availableTime": [
                {
                    "extension": [
                        {
                            "url": "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
                            "ror-available-time-number-days-of-week",
                            "valueInteger": day,
                        }
                    ],
                    "availableStartTime": "08:30:00",
                    "availableEndTime": "12:00:00",
                }
                for day in (1, 2, 3)
            ],
        }
    )
    assert opening_hours(service.availableTime) == "lun.–mer. 08:30–12:00"
