from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from appui.core.enums import Role
from appui.territory.importers import import_communes
from appui.territory.models import Commune

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data" / "cog"


def test_import_keeps_only_communes_and_enriches_them():
    report = import_communes(
        (DATA / "communes_ok.csv").read_bytes(), (DATA / "communes_geo.csv").read_bytes()
    )
    assert report.ok and (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert set(Commune.objects.values_list("insee_code", flat=True)) == {"59526", "59501", "2A004"}
    rieulay = Commune.objects.get(insee_code="59501")
    assert (
        rieulay.name == "Rieulay"
        and rieulay.department_code == "59"
        and rieulay.region_code == "32"
    )
    assert rieulay.postal_codes == "59870" and rieulay.epci_code == "245901152"
    assert rieulay.latitude == pytest.approx(50.3792)
    ajaccio = Commune.objects.get(insee_code="2A004")
    assert ajaccio.postal_code_list == ["20000", "20090"] and ajaccio.department_code == "2A"


def test_reimport_is_idempotent_and_reports_updates():
    import_communes((DATA / "communes_ok.csv").read_bytes())
    again = import_communes((DATA / "communes_ok.csv").read_bytes())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    enriched = import_communes(
        (DATA / "communes_ok.csv").read_bytes(), (DATA / "communes_geo.csv").read_bytes()
    )
    assert (enriched.created, enriched.updated) == (0, 3)
    assert Commune.objects.count() == 3


def test_malformed_file_is_rejected_whole_with_line_numbers():
    report = import_communes((DATA / "communes_malformed.csv").read_bytes())
    assert not report.ok
    assert report.rejected == [(3, "code commune « 5950 » invalide"), (4, "nom de commune vide")]
    assert Commune.objects.count() == 0  # all-or-nothing


def test_missing_headers_are_named():
    with pytest.raises(ValidationError, match="DEP"):
        import_communes((DATA / "communes_bad_headers.csv").read_bytes())


def test_command_reports_and_fails_on_bad_file():
    out = StringIO()
    call_command(
        "import_communes",
        str(DATA / "communes_ok.csv"),
        "--geo",
        str(DATA / "communes_geo.csv"),
        stdout=out,
    )
    assert "3 créée(s)" in out.getvalue()
    with pytest.raises(CommandError, match="aucune commune enregistrée"):
        call_command(
            "import_communes",
            str(DATA / "communes_malformed.csv"),
            stdout=StringIO(),
            stderr=StringIO(),
        )


def test_admin_imports_from_the_page(client, login):
    login(Role.ADMIN)
    before = Commune.objects.count()
    with open(DATA / "communes_ok.csv", "rb") as cog:
        response = client.post(reverse("territory:commune_list"), {"cog": cog})
    assert response.status_code == 200
    assert "Import terminé : 3 créée(s)" in response.content.decode()
    with open(DATA / "communes_malformed.csv", "rb") as cog:
        response = client.post(reverse("territory:commune_list"), {"cog": cog})
    page = response.content.decode()
    assert "Import refusé" in page and "Ligne 3" in page
    assert Commune.objects.count() == before + 3
    assert not Commune.objects.filter(insee_code="59172").exists()
