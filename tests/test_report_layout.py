"""The report's label placement and chart figures, on hand-built numbers and points (no browser,
no model): labels stay inside the chart and never share a row where they would touch."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.analysis.data import Point
from detente.report.figures import day_dated_weeks, periods, type_counts
from detente.report.layout import Placed, centred, flow, place_labels, rows, text_width

LO, HI = 4.0, 956.0


def _boxes(
    labels: list[tuple[float, float]], placed: list[Placed]
) -> list[tuple[float, float, int]]:
    return [(p.start, p.start + w, p.row) for (_, w), p in zip(labels, placed, strict=True)]


def test_layout_labels_far_apart_share_the_top_row() -> None:
    placed = place_labels([(100, 80), (300, 80), (500, 80)], LO, HI)
    assert [p.row for p in placed] == [0, 0, 0]
    assert [p.start for p in placed] == [103, 303, 503] and not any(p.flipped for p in placed)


def test_layout_labels_close_together_go_to_rows_below() -> None:
    placed = place_labels([(100, 120), (130, 120), (160, 120), (400, 120)], LO, HI)
    assert [p.row for p in placed] == [0, 1, 2, 0]
    assert rows(placed) == 3


def test_layout_a_row_is_reused_once_the_label_before_has_ended() -> None:
    placed = place_labels([(100, 50), (130, 50), (160, 50)], LO, HI)
    assert [p.row for p in placed] == [0, 1, 0]


def test_layout_label_at_the_right_edge_is_set_left_of_its_anchor() -> None:
    (placed,) = place_labels([(940, 120)], LO, HI)
    assert placed.flipped and placed.start == 940 - 3 - 120
    assert placed.start + 120 <= HI


def test_layout_label_wider_than_the_room_left_of_it_is_kept_inside() -> None:
    (placed,) = place_labels([(50, 200)], LO, 240)
    assert placed.flipped and placed.start == LO


def test_layout_without_flip_a_span_label_is_moved_left_but_still_covers_its_span() -> None:
    (placed,) = place_labels([(900, 150)], LO, HI, pad=0, flip=False)
    assert not placed.flipped and placed.start == HI - 150 and placed.start < 900


def test_layout_results_come_in_the_order_given() -> None:
    placed = place_labels([(500, 80), (100, 80), (520, 80)], LO, HI)
    assert [p.start for p in placed] == [503, 103, 523] and [p.row for p in placed] == [0, 0, 1]


def test_layout_no_labels_take_no_rows() -> None:
    assert place_labels([], LO, HI) == [] and rows([]) == 0


@given(
    st.lists(
        st.tuples(st.floats(50, 940, allow_nan=False), st.floats(1, 300, allow_nan=False)),
        max_size=40,
    )
)
def test_layout_never_overlaps_nor_leaves_the_chart(labels: list[tuple[float, float]]) -> None:
    gap = 4.0
    placed = place_labels(labels, LO, HI, gap=gap)
    boxes = _boxes(labels, placed)
    for left, right, _ in boxes:
        assert left >= LO - 1e-9 and right <= HI + 1e-9
    for i, (a, b, row) in enumerate(boxes):
        for c, d, other in boxes[i + 1 :]:
            assert row != other or b + gap <= c + 1e-9 or d + gap <= a + 1e-9
    assert sorted({p.row for p in placed}) == list(range(rows(placed)))


def test_layout_widths_grow_with_the_text_and_the_font() -> None:
    assert text_width("▲ escalation 20 Jun", 11) > text_width("▲ 20 Jun", 11) > 0
    assert text_width("MW", 11) > text_width("il", 11)
    assert text_width("20 Jun", 22) == pytest.approx(2 * text_width("20 Jun", 11))


def test_layout_centred_box_is_moved_inside() -> None:
    assert centred(500, 40, LO, HI) == 480
    assert centred(950, 40, LO, HI) == HI - 40
    assert centred(0, 40, LO, HI) == LO


def test_layout_flow_wraps_a_legend_onto_a_new_row() -> None:
    placed = flow([100, 100, 100], 50, 300, gap=10)
    assert [(p.start, p.row) for p in placed] == [(50, 0), (160, 0), (50, 1)]


def _point(day: str, event: str, quad: int, source: str = "BLR", *, precision: str = "day",
           joint: bool = False) -> Point:  # fmt: skip
    target = "UKR" if source == "BLR" else "BLR"
    return Point(f"inc-{day}-{event}-{source}", dt.date.fromisoformat(day), precision, source,
                 target, joint, event, None, quad, -3.0, "asserted", 1, 1, "")  # fmt: skip


POINTS = [
    _point("2024-06-20", "ACCUSE", 3),
    _point("2024-06-21", "MOBILIZE", 4, "UKR"),
    _point("2024-07-01", "ACCUSE", 3, "UKR", precision="month"),
    _point("2024-07-13", "AGREE", 1, joint=True),
    _point("2024-07-14", "ACCUSE", 3),
]


def test_figures_weeks_count_only_incidents_dated_to_the_day() -> None:
    weeks = [dt.date(2024, 6, 17) + dt.timedelta(weeks=n) for n in range(5)]
    counts = dict(day_dated_weeks(POINTS, weeks))
    assert counts[dt.date(2024, 6, 17)] == {3: 1, 4: 1}
    assert counts[dt.date(2024, 7, 1)] == {}  # the month-dated accusation is not a bar
    assert counts[dt.date(2024, 7, 8)] == {1: 1, 3: 1}


def test_figures_month_dated_incidents_become_one_span_per_month() -> None:
    (july,) = periods(POINTS)
    assert (july.start, july.end, july.name) == (
        dt.date(2024, 7, 1),
        dt.date(2024, 7, 31),
        "July 2024",
    )
    assert [p.event for p in july.points] == ["ACCUSE"]
    (year,) = periods([_point("2024-01-01", "ACCUSE", 3, precision="year")])
    assert (year.start, year.name) == (dt.date(2024, 1, 1), "2024")


def test_figures_type_counts_by_direction_most_frequent_first() -> None:
    counts = type_counts(POINTS, ("BLR", "UKR"))
    assert [(c.event, c.forward, c.backward, c.joint, c.total) for c in counts] == [
        ("ACCUSE", 2, 1, 0, 3),
        ("AGREE", 0, 0, 1, 1),
        ("MOBILIZE", 0, 1, 0, 1),
    ]
    assert type_counts(POINTS, ("UKR", "BLR"))[0].forward == 1
