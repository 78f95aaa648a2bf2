"""The activity report's services: the DAC's identity, the figures taken from the catalogue, the
commentary, the final report's read-only rule, and the documents (PDF text, XLSX cells)."""

import datetime
import io
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from appui.core.enums import Role
from appui.core.models import Event
from appui.core.permissions import scope
from appui.reporting import activity_report as service
from appui.reporting.indicators import base
from appui.reporting.indicators.base import (
    SECTIONS,
    Definition,
    Indicator,
    Kind,
    Measure,
    catalogue,
)
from appui.reporting.models import ActivityReport
from tests.factories import (
    ActivityReportFactory,
    CareEpisodeFactory,
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SupportRequestFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def dac():
    return OrganisationFactory(
        dac=True,
        name="DAC Scarpe-Escaut",
        finess_et="590000014",
        address="12 rue de la Gare",
        postal_code="59500",
        commune=CommuneFactory(name="Douai"),
    )


@pytest.fixture
def director(dac):
    return MembershipFactory(
        organisation=dac,
        role=Role.DIRECTOR,
        user=UserFactory(first_name="Nadia", last_name="Durand"),
    )


def _events(report, verb):
    return Event.objects.filter(
        subject_type="reporting.activityreport", subject_id=str(report.pk), verb=verb
    )


def test_identity_names_the_territory_its_communes_and_the_active_directors(dac, director):
    territory = TerritoryFactory(dac=dac, name="Douaisis et Valenciennois")
    territory.communes.set([CommuneFactory(), CommuneFactory(), CommuneFactory()])
    MembershipFactory(
        organisation=dac, role=Role.DIRECTOR, user=UserFactory(first_name="Ali", last_name="Bey")
    )
    MembershipFactory(
        organisation=dac,
        role=Role.DIRECTOR,
        is_active=False,
        user=UserFactory(first_name="Paul", last_name="Ancien"),
    )
    MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    MembershipFactory(role=Role.DIRECTOR)  # another DAC's director

    identity = service.dac_identity(dac)

    assert identity.name == "DAC Scarpe-Escaut"
    assert identity.finess == "590000014"
    assert identity.commune == "Douai"
    assert identity.territory == "Douaisis et Valenciennois"
    assert identity.commune_count == 3
    assert identity.directors == ["Ali Bey", "Nadia Durand"]  # by last name; not the former one
    rows = dict(identity.rows())
    assert rows["Adresse"] == "12 rue de la Gare, 59500 Douai"
    assert rows["Territoire"] == "Douaisis et Valenciennois (3 communes)"


def test_identity_without_territory_nor_director():
    identity = service.dac_identity(OrganisationFactory(dac=True, commune=None))
    rows = dict(identity.rows())
    assert rows["Territoire"] == "non défini"
    assert rows["Direction"] == "non renseignée"
    assert rows["FINESS"] == "non renseigné"


def test_default_year_is_the_last_complete_one():
    assert service.default_year(D(2026, 1, 15)) == 2025
    assert service.default_year(D(2025, 12, 31)) == 2024


def test_sections_follow_the_catalogue_with_the_year_and_the_previous_one(dac):
    # File active 2025: the person followed across New Year and the 2025 inclusion = 2.
    # File active 2024: only the person followed across New Year = 1.
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2024, 11, 2))
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 3, 3))
    SupportRequestFactory(
        dac=dac, channel="phone", received_at=datetime.datetime(2025, 5, 5, 10, tzinfo=PARIS)
    )
    SupportRequestFactory(
        dac=dac, channel="phone", received_at=datetime.datetime(2025, 6, 5, 10, tzinfo=PARIS)
    )
    SupportRequestFactory(
        dac=dac, channel="email", received_at=datetime.datetime(2024, 6, 5, 10, tzinfo=PARIS)
    )

    sections = service.sections(dac.pk, 2025)

    assert [s.code for s in sections] == list(SECTIONS)
    codes = [block.indicator.code for s in sections for block in s.indicators]
    assert codes == [indicator.code for indicator in catalogue()]
    blocks = {block.indicator.code: block for s in sections for block in s.indicators}
    file_active = blocks["file_active"]
    assert file_active.current.measure == Measure(2)
    assert file_active.previous.measure == Measure(1)
    assert file_active.current.text == "2\u00a0personnes"
    assert file_active.current.short == "2"
    channels = {row.key: row for row in blocks["requests_by_channel"].rows}
    assert channels["phone"].current.measure == Measure(2)
    assert channels["phone"].previous.measure == Measure(0)  # none by phone in 2024: zero
    assert channels["email"].current.text == "0\u00a0demande"
    assert channels["email"].previous.measure == Measure(1)
    assert channels["phone"].label == "Téléphone"


def test_an_indicator_added_to_the_catalogue_appears_in_the_report(dac, monkeypatch):
    extra = Indicator(
        code="test_share",
        label="Part de test ajoutée au catalogue",
        section="costs",
        unit="%",
        kind=Kind.SHARE,
        definition=Definition(numerator="Un numérateur.", denominator="Un dénominateur."),
        compute=lambda dac_ids, period, pooled: {
            dac_id: Measure.share(1, 3 if period.start.year == 2025 else 0) for dac_id in dac_ids
        },
    )
    monkeypatch.setitem(base._CATALOGUE, extra.code, extra)

    block = next(
        b
        for s in service.sections(dac.pk, 2025)
        if s.code == "costs"
        for b in s.indicators
        if b.indicator.code == "test_share"
    )
    assert block.indicator is extra
    assert block.current.text == "33,3\u00a0%"
    assert block.current.detail == "1 / 3"
    assert block.previous.text == "—"  # nothing in the denominator in 2024


def test_save_commentary_keeps_the_known_sections_and_records_an_event(director):
    report = service.save_commentary(
        director,
        2025,
        {"introduction": "  Une année de croissance.  ", "activity": "Plus de demandes.", "x": "?"},
    )
    report.refresh_from_db()
    assert report.commentary == {
        "introduction": "Une année de croissance.",
        "activity": "Plus de demandes.",
    }
    assert report.status == "draft"
    event = _events(report, "report_commentary_saved").get()
    assert event.actor_id == director.user_id
    assert event.data == {"year": 2025, "sections": ["activity", "introduction"]}

    service.save_commentary(director, 2025, {"activity": "", "perspectives": "Ouvrir une antenne."})
    report.refresh_from_db()
    assert report.commentary == {
        "introduction": "Une année de croissance.",
        "perspectives": "Ouvrir une antenne.",
    }
    assert ActivityReport.objects.count() == 1


def test_too_long_a_commentary_is_refused_and_nothing_is_saved(director):
    with pytest.raises(ValidationError) as error:
        service.save_commentary(director, 2025, {"introduction": "court", "delays": "x" * 4001})
    assert "dépasse 4000 caractères" in error.value.message_dict["delays"][0]
    assert not ActivityReport.objects.exists()


def test_a_final_report_is_read_only_until_the_director_reopens_it(director):
    service.save_commentary(director, 2025, {"introduction": "Version arrêtée."})
    report = service.finalise(director, 2025)
    assert report.status == "final"
    assert report.finalised_by == director.user
    assert report.finalised_at is not None

    with pytest.raises(ValidationError, match="rouvrez-le"):
        service.save_commentary(director, 2025, {"introduction": "Changée après coup."})
    with pytest.raises(ValidationError, match="déjà arrêté"):
        service.finalise(director, 2025)
    report.refresh_from_db()
    assert report.commentary == {"introduction": "Version arrêtée."}

    report = service.reopen(director, 2025)
    assert (report.status, report.finalised_at, report.finalised_by) == ("draft", None, None)
    service.save_commentary(director, 2025, {"introduction": "Corrigée."})
    report.refresh_from_db()
    assert report.commentary == {"introduction": "Corrigée."}
    assert _events(report, "report_finalised").count() == 1
    assert _events(report, "report_reopened").get().data["year"] == 2025
    with pytest.raises(ValidationError, match="n'est pas arrêté"):
        service.reopen(director, 2025)


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.CASE_MANAGER, Role.SUPPORT_PHYSICIAN, Role.REGIONAL_PILOT]
)
def test_only_the_director_changes_or_reads_the_report(role):
    membership = MembershipFactory(role=role)
    with pytest.raises(PermissionDenied):
        service.save_commentary(membership, 2025, {"introduction": "Non."})
    with pytest.raises(PermissionDenied):
        service.finalise(membership, 2025)
    with pytest.raises(PermissionDenied):
        service.report_for(membership, 2025)
    assert not ActivityReport.objects.exists()


def test_a_director_never_reaches_another_dac_s_report(director):
    other = ActivityReportFactory(year=2025, commentary={"introduction": "Secret."})
    assert service.report_for(director, 2025).pk is None
    assert (
        not scope(director, "activity_report", "view", ActivityReport.objects.all())
        .filter(pk=other.pk)
        .exists()
    )


def _pdf_text(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rapport.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
    return " ".join(text.split())


def test_the_pdf_has_the_dac_every_indicator_its_definition_and_the_commentary(dac, director):
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 3, 3))
    service.save_commentary(
        director, 2025, {"introduction": "Année de lancement.", "delays": "Délais tenus."}
    )

    text = _pdf_text(service.generate_pdf(director, 2025))

    assert "Rapport d'activité 2025" in text
    assert "DAC Scarpe-Escaut" in text
    assert "590000014" in text
    assert "Nadia Durand" in text
    for indicator in catalogue():
        assert indicator.label in text, indicator.label
        assert " ".join(indicator.definition.numerator.split()) in text, indicator.code
    assert "Année de lancement." in text
    assert "Délais tenus." in text
    assert "Version de travail, non arrêtée." in text
    report = ActivityReport.objects.get(dac=dac, year=2025)
    assert _events(report, "report_generated").get().data == {"year": 2025, "format": "pdf"}


def test_the_workbook_has_one_row_per_indicator_and_key_and_the_comments(dac, director):
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2024, 11, 2))
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 3, 3))
    SupportRequestFactory(
        dac=dac, channel="phone", received_at=datetime.datetime(2025, 5, 5, 10, tzinfo=PARIS)
    )
    service.save_commentary(director, 2025, {"perspectives": "Deux antennes."})

    workbook = load_workbook(io.BytesIO(service.generate_xlsx(director, 2025)))

    assert workbook.sheetnames == ["Indicateurs", "Commentaires", "Identité"]
    rows = list(workbook["Indicateurs"].iter_rows(values_only=True))
    assert rows[0] == (
        "Rubrique",
        "Code",
        "Indicateur",
        "Clé",
        "Libellé de la clé",
        "Unité",
        "Valeur",
        "Numérateur",
        "Dénominateur",
        "Année précédente",
    )
    assert {row[1] for row in rows[1:]} == {indicator.code for indicator in catalogue()}
    by_code_key = {(row[1], row[3]): row for row in rows[1:]}
    assert by_code_key[("file_active", None)][6:] == (2, None, None, 1)
    assert by_code_key[("file_active", None)][0] == "Activité"
    phone = by_code_key[("requests_by_channel", "phone")]
    assert phone[4:] == ("Téléphone", "demandes", 1, None, None, 0)

    comments = dict(workbook["Commentaires"].iter_rows(min_row=2, values_only=True))
    assert comments["Perspectives"] == "Deux antennes."
    assert comments["Introduction"] is None
    assert list(comments) == [title for _, title in service.commentary_sections()]
    identity = dict(workbook["Identité"].iter_rows(min_row=2, values_only=True))
    assert identity["Nom"] == "DAC Scarpe-Escaut"
    assert identity["Année"] == 2025
    assert identity["État du rapport"] == "En préparation"


def test_spreadsheet_numbers_are_numbers():
    assert service._number(Decimal("45.0")) == 45
    assert service._number(Decimal("45.2")) == 45.2
    assert service._number(None) is None
    assert service._number(7) == 7
