"""Unmet-needs indicators on small hand-built datasets: the expected values are counted by hand."""

import datetime

import pytest

from appui.reporting.indicators import POOLED, Measure, Period, get
from tests.factories import CommuneFactory, OrganisationFactory, UnmetNeedFactory

pytestmark = pytest.mark.django_db
Y2025 = Period.year(2025)
D = datetime.date


@pytest.fixture
def needs():
    # The named communes first: a commune made in passing (an organisation's seat) takes its
    # INSEE code from a sequence and could otherwise stand under Anzin's code with another name.
    douai = CommuneFactory(insee_code="59178", name="Douai")
    anzin = CommuneFactory(insee_code="59014", name="Anzin")
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    need = UnmetNeedFactory
    need(dac=dac, theme="teleassistance", commune=douai, noted_on=D(2025, 1, 1))
    need(dac=dac, theme="teleassistance", commune=douai, noted_on=D(2025, 12, 31))
    need(dac=dac, theme="portage-repas", commune=anzin, noted_on=D(2025, 6, 1))
    need(dac=dac, theme="portage-repas", commune=None, noted_on=D(2025, 7, 1))
    need(dac=dac, theme="teleassistance", commune=douai, noted_on=D(2024, 12, 31))  # 2024
    need(dac=dac, theme="teleassistance", commune=anzin, noted_on=D(2026, 1, 1))  # 2026
    need(dac=dac, theme="portage-repas", commune=anzin, noted_on=D(2025, 3, 3)).delete()  # archived
    need(dac=other, theme="teleassistance", commune=anzin, noted_on=D(2025, 4, 4))
    return dac, other, douai, anzin


def test_unmet_needs_by_theme(needs):
    dac, other, douai, anzin = needs
    indicator = get("unmet_needs_by_theme")
    figures = indicator.figures([dac.pk, other.pk], Y2025)
    assert figures[dac.pk] == {"teleassistance": Measure(2), "portage-repas": Measure(2)}
    assert figures[other.pk] == {"teleassistance": Measure(1)}
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == {
        "teleassistance": Measure(3),
        "portage-repas": Measure(2),
    }
    assert indicator.for_dac(dac.pk, Period.year(2024)) == {"teleassistance": Measure(1)}
    labels = dict(indicator.breakdown(figures[dac.pk]))
    assert labels["portage-repas"] != "portage-repas"  # the theme's French label
    assert indicator.drilldown.rows(dac, Y2025, "portage-repas").count() == 2


def test_unmet_needs_by_commune_with_labels_and_no_commune(needs):
    dac, other, douai, anzin = needs
    indicator = get("unmet_needs_by_commune")
    figure = indicator.for_dac(dac.pk, Y2025)
    assert figure == {str(douai.pk): Measure(2), str(anzin.pk): Measure(1), "none": Measure(1)}
    assert indicator.breakdown(figure) == [
        (str(anzin.pk), "Anzin (59014)"),
        (str(douai.pk), "Douai (59178)"),
        ("none", "Commune non précisée"),
    ]
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == {
        str(douai.pk): Measure(2),
        str(anzin.pk): Measure(2),
        "none": Measure(1),
    }
    assert indicator.drilldown.rows(dac, Y2025, "none").get().theme == "portage-repas"
    assert indicator.drilldown.rows(dac, Y2025, str(douai.pk)).count() == 2
