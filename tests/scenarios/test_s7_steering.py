"""S7 — Steering the DAC and the region.

In January 2026 the director of DAC Scarpe-Escaut produces the 2025 activity report (every
indicator of the catalogue is in its PDF, with her commentary), then fills the CPOM's 2025 annual
review and sends it to the ARS. The ARS regional pilot sees the same indicators for the three DACs
of the region side by side, small counts masked, the cartography of coordination structures — and
is refused any person's page."""

import datetime
import io
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from appui.core.audit import audit_context
from appui.intake.models import SupportRequest
from appui.persons.models import Person
from appui.reporting import demo as region_demo
from appui.reporting import demo_activity
from appui.reporting.indicators import catalogue
from appui.reporting.models import AnnualReview
from appui.territory.demo import DEMO_PASSWORD

from .steps import log_in, main, menu, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PILOT = "marc.delattre@ars-hdf.test"


@pytest.fixture
def region(territory):
    """The demo DAC with its 2025 activity, and the two other DACs of the region."""
    with audit_context(user_label="seed_demo"):
        demo_activity.seed(StringIO())
        region_demo.seed(StringIO())


def pdf_text(download) -> str:
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_s7_activity_report_cpom_review_and_regional_view(page, region, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 19, 9, 30, tzinfo=ZoneInfo("Europe/Paris")))

    # --- The director: the 2025 activity report -------------------------------------------------
    sign_in(page, "direction")
    menu(page, "Pilotage")
    main(page).get_by_role("link", name="Rapport d'activité").click()
    expect(page.get_by_role("heading", name="Rapport d'activité 2025")).to_be_visible()
    page.get_by_role("textbox", name=re.compile(r"^Texte d'introduction")).fill(
        "En 2025, le DAC a accompagné davantage de personnes, au plus près des médecins traitants."
    )
    page.get_by_role("button", name="Enregistrer les commentaires").click()
    expect(page.get_by_role("status").first).to_contain_text("Commentaires enregistrés.")
    screenshot(page, "s7-rapport-activite")
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("link", name="Télécharger le PDF").click(timeout=60_000)
    text = pdf_text(download_info.value)
    assert "DAC Scarpe-Escaut" in text
    assert "au plus près des médecins traitants" in text
    missing = [i.label for i in catalogue() if " ".join(i.label.split()) not in text]
    assert not missing, missing

    # --- The director: the CPOM's 2025 annual review ----------------------------------------------
    menu(page, "Pilotage")
    main(page).get_by_role("link", name="CPOM").click()
    page.get_by_role("link", name=re.compile("CPOM du DAC Scarpe-Escaut 2024-2028")).first.click()
    page.get_by_role("link", name="Revue 2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revue annuelle 2025")
    file_active = page.get_by_role("row", name=re.compile("File active")).first
    expect(file_active).to_be_visible()
    page.get_by_label(re.compile("Commentaire — File active")).first.fill(
        "La file active progresse comme prévu."
    )
    # An indicator the contract defines itself: its actual value is entered, not computed.
    page.get_by_label("Réalisé — Réunions d'animation territoriale organisées").fill("6")
    page.get_by_label("Votre analyse de l'année").fill(
        "Année de montée en charge : les délais sont tenus, la validation par le médecin "
        "traitant reste à améliorer."
    )
    page.get_by_role("button", name="Enregistrer la revue").click()
    expect(page.get_by_text("Revue enregistrée.")).to_be_visible()
    page.get_by_role("button", name="Transmettre à l'ARS").click()
    expect(main(page)).to_contain_text("Transmise à l'ARS")
    screenshot(page, "s7-revue-cpom")
    review = AnnualReview.objects.get(year=2025, contract__dac__name="DAC Scarpe-Escaut")
    assert review.status == "sent" and review.dac_comment.startswith("Année de montée en charge")
    frozen = review.lines.filter(indicator__indicator_code="file_active").get()
    assert frozen.actual is not None and frozen.comment == "La file active progresse comme prévu."

    # --- The ARS pilot: the region, masked, without anyone's data -------------------------------
    page.context.clear_cookies()
    log_in(page, PILOT, DEMO_PASSWORD)
    menu(page, "Pilotage")
    main(page).get_by_role("link", name="Vue régionale").click()
    expect(page.locator("h1")).to_have_text("Indicateurs des DAC de la région — 2025")
    activity = page.get_by_role("table", name="Activité — 2025")
    for name in ("DAC Scarpe-Escaut", "DAC du Douaisis", "DAC du Cambrésis", "Région"):
        expect(activity.get_by_role("columnheader", name=name)).to_be_visible()
    expect(main(page)).to_contain_text("< 5")
    screenshot(page, "s7-vue-regionale")
    html = page.content()
    for person in Person.objects.filter(dac__name="DAC Scarpe-Escaut")[:20]:
        assert person.birth_name not in html

    main(page).get_by_role("link", name="Cartographie des structures").click()
    expect(page.locator("h1")).to_have_text("Cartographie des structures de coordination")
    expect(main(page)).to_contain_text("DAC du Cambrésis")

    person = Person.objects.filter(dac__name="DAC Scarpe-Escaut").first()
    request = SupportRequest.objects.filter(dac__name="DAC Scarpe-Escaut").first()
    for url in (
        reverse("persons:detail", args=[person.pk]),
        reverse("intake:request_detail", args=[request.pk]),
        reverse("persons:list"),
    ):
        response = page.goto(url)
        assert response.status == 403, url
