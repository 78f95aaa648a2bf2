"""Small-count masking of the regional view, on hand-made figures."""

from appui.reporting.indicators.base import Kind, Measure
from appui.reporting.regional import SECRET, Cell, TableLine, mask, mask_table


def test_counts_below_the_threshold_are_masked_but_not_zero():
    assert mask(Measure(4), Kind.COUNT, "personnes", limit=5) == Cell("< 5", True, 4)
    assert mask(Measure(1), Kind.COUNT, limit=5).masked
    assert mask(Measure(0), Kind.COUNT, limit=5) == Cell("0", False, 0)
    assert mask(Measure(5), Kind.COUNT, "personnes", limit=5) == Cell("5\u00a0personnes", False, 5)


def test_the_threshold_is_a_setting(settings):
    settings.APPUI_SMALL_COUNT_THRESHOLD = 11
    assert mask(Measure(10), Kind.COUNT).text == "< 11"
    assert not mask(Measure(11), Kind.COUNT).masked


def test_shares_are_masked_on_a_small_numerator_denominator_or_complement():
    assert mask(Measure.share(2, 40), Kind.SHARE, "%", limit=5).text == SECRET  # 2 persons
    assert mask(Measure.share(38, 40), Kind.SHARE, "%", limit=5).text == SECRET  # the 2 others
    assert mask(Measure.share(3, 4), Kind.SHARE, "%", limit=5).text == SECRET  # 4 persons
    assert mask(Measure.share(10, 40), Kind.SHARE, "%", limit=5).text == "25,0\u00a0%"
    assert mask(Measure.share(0, 40), Kind.SHARE, "%", limit=5).text == "0,0\u00a0%"
    assert mask(Measure.share(0, 0), Kind.SHARE, "%", limit=5) == Cell("—")


def test_quantiles_and_means_need_enough_values():
    # A median delay over 4 requests, over 12 requests; the count of values is the denominator.
    assert mask(Measure(3, None, 4), Kind.QUANTILE, "jours", limit=5).text == SECRET
    assert mask(Measure(3, None, 12), Kind.QUANTILE, "jours", limit=5).text == "3\u00a0jours"
    # Nothing says how many values: masked rather than risked.
    assert mask(Measure(3), Kind.QUANTILE, "jours", limit=5).masked
    assert mask(Measure.ratio(120, 4), Kind.MEAN, "jours", limit=5).text == SECRET
    assert mask(Measure.ratio(120, 8), Kind.MEAN, "jours", limit=5).text == "15\u00a0jours"
    assert mask(Measure(None), Kind.MEAN, limit=5) == Cell("—")


def test_amounts_are_never_masked():
    assert mask(Measure(3), Kind.AMOUNT, "€", limit=5).text == "3,00\u00a0€"


def _line(values, region, limit=5):
    return TableLine(
        "x",
        [mask(Measure(v), Kind.COUNT, limit=limit) for v in values],
        mask(Measure(region), Kind.COUNT, limit=limit),
    )


def test_a_single_masked_dac_in_a_row_masks_the_next_smallest():
    # 3 + 40 + 12 = 55: with 40, 12 and 55 visible, the 3 would be 55 − 40 − 12.
    line = _line([3, 40, 12], 55)
    mask_table([line], Kind.COUNT)
    assert [c.masked for c in line.cells] == [True, False, True]
    assert line.cells[2].text == SECRET
    assert not line.region.masked


def test_two_masked_cells_in_a_row_need_nothing_more():
    line = _line([3, 40, 2], 45)
    mask_table([line], Kind.COUNT)
    assert [c.masked for c in line.cells] == [True, False, True]
    assert line.cells[1].text == "40"


def test_secondary_masking_runs_on_the_breakdown_lines_too():
    # Breakdown by channel for two DACs (columns) and the region.
    total = _line([30, 20], 50)
    phone = _line([27, 8], 35)
    email = _line([3, 12], 15)
    lines = [total, phone, email]
    mask_table(lines, Kind.COUNT)
    # email/DAC 1 (3) is masked; in its column, phone/DAC 1 (27) is then masked too; in the rows,
    # phone/DAC 2 (8) and email/DAC 2 (12) follow; the region's lines need nothing.
    assert phone.cells[0].masked and email.cells[0].masked
    assert phone.cells[1].masked and email.cells[1].masked
    assert not total.cells[0].masked and not total.region.masked
    assert not phone.region.masked and not email.region.masked


def test_no_secondary_masking_for_non_additive_kinds():
    line = TableLine(
        "x",
        [
            mask(Measure.share(2, 40), Kind.SHARE, limit=5),
            mask(Measure.share(20, 40), Kind.SHARE, limit=5),
        ],
        mask(Measure.share(22, 80), Kind.SHARE, limit=5),
    )
    mask_table([line], Kind.SHARE)
    assert [c.masked for c in line.cells] == [True, False]
