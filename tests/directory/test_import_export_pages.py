"""The import page, the import command and the export downloads, end to end."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from appui.core.enums import Role
from appui.core.models import Event
from appui.directory.models import ImportRun, Service
from tests.directory.conftest import DATA
from tests.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_communes")]


def upload(name):
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def test_director_imports_a_file_and_sees_the_report_and_history(client, login):
    membership = login(Role.DIRECTOR)
    response = client.post(
        reverse("directory:imports"),
        {"format": "data-inclusion", "file": upload("data_inclusion_valid.json")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Import terminé" in html and "Rapport d'import" in html
    run = ImportRun.objects.get()
    assert run.applied and run.created == Service.objects.count() > 0
    assert run.by == membership.user
    assert Event.objects.filter(subject_type="directory.importrun", verb="imported").exists()
    again = client.post(
        reverse("directory:imports"),
        {"format": "data-inclusion", "file": upload("data_inclusion_valid.json")},
    ).content.decode()
    assert "0 créé(s)" in again
    assert ImportRun.objects.count() == 2


def test_a_file_with_bad_rows_is_refused_whole_unless_asked(client, login):
    login(Role.ADMIN)
    response = client.post(
        reverse("directory:imports"),
        {"format": "data-inclusion", "file": upload("data_inclusion_sample.json")},
    )
    html = response.content.decode()
    assert "Import refusé" in html and "rien n&#x27;a été enregistré" in html
    assert not Service.objects.exists()
    client.post(
        reverse("directory:imports"),
        {
            "format": "data-inclusion",
            "file": upload("data_inclusion_sample.json"),
            "skip_invalid": "on",
        },
    )
    assert Service.objects.exists()


def test_the_wrong_format_is_explained(client, login):
    login(Role.DIRECTOR)
    response = client.post(
        reverse("directory:imports"),
        {"format": "fhir", "file": upload("data_inclusion_valid.json")},
    )
    assert "Import refusé" in response.content.decode()
    assert not Service.objects.exists()


def test_import_command(tmp_path):
    out = StringIO()
    call_command("import_directory", "fhir", str(DATA / "ror_bundle_valid.json"), stdout=out)
    assert "Import terminé" in out.getvalue()
    assert Service.objects.filter(source="ror").exists()
    with pytest.raises(CommandError, match="Import refusé"):
        call_command(
            "import_directory", "fhir", str(DATA / "ror_bundle_sample.json"), stderr=StringIO()
        )


def test_exports_follow_the_search(client, login):
    login(Role.ASSISTANT)
    ServiceFactory(name="Portage de repas à domicile", themes=["portage-repas"])
    ServiceFactory(name="Téléassistance", themes=["teleassistance"])
    response = client.get(reverse("directory:export", args=["csv"]), {"q": "repas"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"].startswith('attachment; filename="repertoire-')
    assert "Portage de repas à domicile" in content and "Téléassistance" not in content
    response = client.get(reverse("directory:export", args=["json"]))
    payload = json.loads(response.content)
    assert {s["nom"] for s in payload["services"]} == {
        "Portage de repas à domicile",
        "Téléassistance",
    }


def test_export_command():
    ServiceFactory(name="Accueil de jour", themes=["accueil-de-jour"])
    out = StringIO()
    call_command("export_directory", "json", stdout=out)
    assert json.loads(out.getvalue())["services"][0]["nom"] == "Accueil de jour"


def test_import_history_is_paginated_with_bounded_queries(
    client, login, django_assert_max_num_queries
):
    membership = login(Role.DIRECTOR)
    for _ in range(15):
        ImportRun.objects.create(format="finess", by=membership.user, applied=True, created=3)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("directory:imports"))
    assert response.content.decode().count("<td>FINESS") == 10
    assert (
        client.get(reverse("directory:imports"), {"page": 2}).content.decode().count("<td>FINESS")
        == 5
    )
