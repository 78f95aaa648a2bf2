import pytest

from appui.core.audit import audit_context
from appui.core.enums import AccessAction
from appui.core.models import AccessLog
from appui.directory.enums import THEMES, ImportFormat
from appui.directory.importers import run_import
from appui.directory.importers.rpps import THEME_BY_PROFESSION
from appui.directory.models import Service
from appui.territory.enums import Profession, Sector
from appui.territory.models import Commune, PracticePlace, Professional
from tests.directory.conftest import DATA
from tests.factories import OrganisationFactory, ProfessionalFactory, UserFactory

pytestmark = pytest.mark.django_db

LEROY, MARTIN, BERNARD, PETIT = "10000000017", "10000000025", "10000000033", "10000000041"


@pytest.fixture(autouse=True)
def territory(demo_communes):
    # The hospital where Dr Bernard works is already in the directory (its FINESS number).
    return OrganisationFactory(
        name="CH de démonstration",
        finess_et="590001012",
        commune=Commune.objects.get(insee_code="59526"),
    )


def rpps(data: bytes, **kwargs):
    return run_import(ImportFormat.RPPS, data, filename="PS_LibreAcces.txt", **kwargs)


def valid() -> bytes:
    return (DATA / "rpps_valid.txt").read_bytes()


def test_valid_file_creates_professionals_places_and_services():
    report = rpps(valid())
    assert report.applied and report.rejected == []
    assert (report.created, report.updated, report.unchanged, report.ignored) == (10, 0, 0, 1)
    assert report.rows == 13
    assert Professional.objects.count() == 10
    assert PracticePlace.objects.count() == 11  # Dr Martin's two rows share one site
    assert Service.objects.filter(source="rpps").count() == 9
    assert not Professional.objects.filter(last_name="Dupuis").exists()  # practises in Arras


def test_nurse_with_two_sites():
    rpps(valid())
    leroy = Professional.objects.get(rpps=LEROY)
    assert (leroy.civility, leroy.title, leroy.first_name, leroy.last_name) == (
        "Mme",
        "",
        "Anne",
        "Leroy",
    )
    assert leroy.profession == Profession.NURSE and leroy.adeli == ""
    assert leroy.phone == "0327100001" and leroy.email == "cabinet.acacias@exemple.fr"
    places = list(leroy.practice_places.select_related("commune").order_by("id"))
    assert [p.commune.insee_code for p in places] == ["59526", "59501"]
    assert [p.is_primary for p in places] == [True, False]
    assert places[0].address == "12 rue des Acacias" and places[0].organisation is None
    assert places[0].role_label == "Libéral,indépendant,artisan,commerçant"
    services = list(Service.objects.filter(professional=leroy).order_by("source_id"))
    assert [s.source_id for s in services] == [
        f"{LEROY}:structure-R10000001",
        f"{LEROY}:structure-R10000002",
    ]
    first = services[0]
    assert first.name == "Soins infirmiers à domicile"
    assert first.themes == ["soins-infirmiers-domicile"] and first.sector == Sector.HEALTH
    assert first.zone_codes == ["59526"] and first.commune.insee_code == "59526"
    assert first.organisation is None and first.postal_code == "59230"
    assert "Cabinet infirmier des Acacias" in first.description
    assert first.latitude == pytest.approx(50.4479)  # commune centre
    assert "Leroy" in first.search_text


def test_physicians_only_general_practice_is_a_service(territory):
    rpps(valid())
    martin = Professional.objects.get(rpps=MARTIN)
    assert martin.title == "Dr" and martin.specialty == "Médecine générale (SM)"
    assert martin.practice_places.count() == 1
    assert list(Service.objects.filter(professional=martin).values_list("name", "themes")) == [
        ("Médecine générale", ["medecine-generale"])
    ]
    bernard = Professional.objects.get(rpps=BERNARD)
    assert not Service.objects.filter(professional=bernard).exists()  # cardiologist
    place = bernard.practice_places.get()
    assert place.organisation == territory and place.address == ""  # matched by FINESS
    assert place.role_label == "Salarié"


@pytest.mark.parametrize(
    ("last_name", "profession", "themes"),
    [
        ("Petit", Profession.PHYSIOTHERAPIST, ["kinesitherapie"]),
        ("Garnier", Profession.PHARMACIST, ["pharmacie"]),
        ("Roussel", Profession.PSYCHOLOGIST, ["psychologue"]),
        ("Fontaine", Profession.SPEECH_THERAPIST, ["orthophonie"]),
        ("Lambert", Profession.DIETITIAN, ["dieteticien"]),
        ("Girard", Profession.OCCUPATIONAL_THERAPIST, ["ergotherapeute"]),
        ("Morel", Profession.MIDWIFE, None),
    ],
)
def test_profession_mapping(last_name, profession, themes):
    rpps(valid())
    professional = Professional.objects.get(last_name=last_name)
    assert professional.profession == profession
    services = list(Service.objects.filter(professional=professional))
    if themes is None:
        assert services == []
    else:
        assert [s.themes for s in services] == [themes]


def test_adeli_identifier_and_unmatched_site():
    rpps(valid())
    roussel = Professional.objects.get(adeli="599312345")
    assert roussel.rpps == "" and roussel.civility == "M."
    garnier = Professional.objects.get(last_name="Garnier")
    # Pharmacy FINESS 590001061 is not in the directory: the place keeps its own address.
    place = garnier.practice_places.get()
    assert place.organisation is None and place.address == "2 rue du Canal"
    lambert = Service.objects.get(professional__last_name="Lambert")
    assert lambert.source_id.startswith("10000000074:adresse-")


def test_every_profession_theme_exists():
    assert set(THEME_BY_PROFESSION.values()) <= set(THEMES) and "medecine-generale" in THEMES


def test_malformed_rows_are_listed_and_nothing_is_saved():
    report = rpps((DATA / "rpps_sample.txt").read_bytes())
    assert not report.applied
    assert [line for line, _ in report.rejected] == [6, 11, 17]
    reasons = dict(report.rejected)
    assert reasons[6] == "numéro RPPS « 1234 » invalide (11 chiffres attendus)"
    assert reasons[11] == "nombre de colonnes incorrect : 30 au lieu de 57"
    assert reasons[17] == "code commune « 59AB6 » invalide"
    assert Professional.objects.count() == 0 and PracticePlace.objects.count() == 0
    assert not Service.objects.exists()
    assert not AccessLog.objects.filter(object_type="territory.professional").exists()


def test_skip_invalid_saves_the_valid_rows():
    report = rpps((DATA / "rpps_sample.txt").read_bytes(), skip_invalid=True)
    assert report.applied and len(report.rejected) == 3
    assert (report.created, report.ignored) == (10, 1)
    assert Professional.objects.count() == 10
    assert not Professional.objects.filter(last_name__in=["Faure", "Blanc", "Henry"]).exists()


def test_reimport_creates_no_duplicate_and_reports_unchanged():
    rpps(valid())
    again = rpps(valid())
    assert (again.created, again.updated, again.unchanged, again.ignored) == (0, 0, 10, 1)
    assert Professional.objects.count() == 10
    assert PracticePlace.objects.count() == 11
    assert Service.objects.filter(source="rpps").count() == 9


def test_changed_row_is_updated_and_logged():
    rpps(valid())
    petit = Professional.objects.get(rpps=PETIT)
    report = rpps(valid().replace(b"|0327100004|", b"|0327999999|"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 9)
    petit.refresh_from_db()
    assert petit.phone == "0327999999"
    assert petit.practice_places.get().phone == "0327999999"
    assert Service.objects.get(professional=petit).phone == "0327999999"
    update = AccessLog.objects.get(
        object_type="territory.professional", object_id=str(petit.pk), action=AccessAction.UPDATE
    )
    assert update.fields == ["phone"]


def test_every_created_professional_and_place_is_in_the_access_log():
    user = UserFactory()
    with audit_context(user_id=user.pk, user_label="Camille Import", role="admin"):
        rpps(valid())
    logs = AccessLog.objects.filter(action=AccessAction.CREATE)
    professionals = logs.filter(object_type="territory.professional")
    assert set(professionals.values_list("object_id", flat=True)) == {
        str(pk) for pk in Professional.objects.values_list("pk", flat=True)
    }
    places = logs.filter(object_type="territory.practiceplace")
    assert set(places.values_list("object_id", flat=True)) == {
        str(pk) for pk in PracticePlace.objects.values_list("pk", flat=True)
    }
    entry = professionals.first()
    assert entry.user_id == user.pk and entry.user_label == "Camille Import"
    assert "rpps" in entry.fields and "last_name" in entry.fields
    assert Professional.objects.get(rpps=LEROY).created_by_id == user.pk


def test_existing_professional_is_updated_not_duplicated():
    existing = ProfessionalFactory(rpps=PETIT, first_name="J.", last_name="Petit", phone="")
    report = rpps(valid())
    assert (report.created, report.updated) == (9, 1)
    existing.refresh_from_db()
    assert existing.first_name == "Julien" and existing.profession == Profession.PHYSIOTHERAPIST
    assert Professional.objects.filter(rpps=PETIT).count() == 1


def test_latin1_file_is_read_as_well():
    report = rpps(valid().decode("utf-8").encode("latin-1"))
    assert report.applied and report.created == 10
    assert Professional.objects.filter(first_name="Léa").exists()


def test_missing_header_is_named():
    header, rest = valid().split(b"\n", 1)
    broken = header.replace(b"|Nom d'exercice|", b"|Nom|") + b"\n" + rest
    report = rpps(broken)
    assert not report.applied
    line, message = report.rejected[0]
    assert line == 0 and "colonne(s) manquante(s) : « Nom d'exercice »" in message
    assert Professional.objects.count() == 0


def test_wrong_format_file_is_refused_with_a_french_message():
    report = rpps((DATA / "finess_valid.csv").read_bytes())
    assert not report.applied
    assert "n'est pas une extraction RPPS" in report.rejected[0][1]


def line(**values) -> bytes:
    """A data line in the column order of the sample file's header."""
    header = valid().split(b"\n", 1)[0].decode().split("|")
    return "|".join(values.get(h, "") for h in header).encode()


def test_two_sites_of_one_structure_make_one_place(territory):
    territory.siret = "26590001200017"
    territory.save()
    common = {
        "Type d'identifiant PP": "8",
        "Identifiant PP": BERNARD,
        "Nom d'exercice": "Bernard",
        "Prénom d'exercice": "Paul",
        "Code profession": "60",
        "Code commune (coord. structure)": "59526",
    }
    data = b"\n".join(
        [
            valid().split(b"\n", 1)[0],
            line(**common, **{"Numéro FINESS site": "590001012"}),
            line(**common, **{"Numéro SIRET site": "26590001200017"}),
        ]
    )
    report = rpps(data)
    assert report.applied and report.created == 1
    bernard = Professional.objects.get(rpps=BERNARD)
    place = bernard.practice_places.get()
    assert place.organisation == territory
    # One service per site of the file, one access-log row per place actually written.
    assert Service.objects.filter(professional=bernard).count() == 2
    logged = AccessLog.objects.filter(object_type="territory.practiceplace")
    assert list(logged.values_list("object_id", flat=True)) == [str(place.pk)]
