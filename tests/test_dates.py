from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.nlp.dates import choose_year, find_dates, newest_absolute, resolve
from detente.nlp.pipeline import Resources, code_document
from detente.records import DateBasis, DateValue, Document

REF = dt.date(2024, 8, 1)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On 13 July, he said", "2024-07-13"),
        ("On July 13, the president", "2024-07-13"),
        ("on 2 July", "2024-07-02"),
        ("In the second half of June, officials", "2024-06"),
        ("In late June, Minsk", "2024-06"),
        ("in April 2001", "2001-04"),
        ("in December 2022", "2022-12"),
        ("on August 1, 2024", "2024-08-01"),
        ("on 2024-06-20", "2024-06-20"),
        ("on 20.06.2024", "2024-06-20"),
        ("in 2020", "2020"),
        ("yesterday", "2024-07-31"),
        ("today", "2024-08-01"),
        ("on Monday", "2024-07-29"),
        ("last Thursday", "2024-07-25"),
        ("last month", "2024-07"),
        ("last year", "2023"),
        ("three days ago", "2024-07-29"),
        ("on December 28", "2023-12-28"),
    ],
)
def test_dates_resolve_against_the_reference(text: str, expected: str) -> None:
    (mention,) = find_dates(text)
    value = resolve(mention, REF)
    assert value is not None and value.iso() == expected


@pytest.mark.parametrize("text", ["since 2021", "it may be so", "in May he may go"])
def test_dates_period_starts_and_verbs_do_not_date_events(text: str) -> None:
    assert all(resolve(m, REF) is None for m in find_dates(text)) or "May" in text


def test_dates_partial_date_without_reference_stays_unresolved() -> None:
    (mention,) = find_dates("On 13 July, he said")
    assert resolve(mention, None) is None
    (absolute,) = find_dates("in December 2022")
    assert resolve(absolute, None) == DateValue(2022, 12)


def test_dates_future_events_look_ahead() -> None:
    (mention,) = find_dates("will meet on 5 January")
    assert resolve(mention, dt.date(2024, 12, 20), future=True) == DateValue(2025, 1, 5)
    assert resolve(mention, dt.date(2024, 12, 20)) == DateValue(2024, 1, 5)


def test_dates_impossible_day_is_not_invented() -> None:
    assert choose_year(2, 29, dt.date(2023, 6, 1)) == 2024  # the only leap year of the three
    assert choose_year(2, 29, dt.date(2022, 6, 1)) is None
    (mention,) = find_dates("on 31 April")
    assert resolve(mention, REF) is None


@pytest.mark.parametrize("impossible", ["29 February 2023", "31.02.2024", "February 30, 2023"])
def test_dates_impossible_full_date_is_not_the_newest(impossible: str) -> None:
    # it crashed inferring an undated document's reference date (found by the fuzz tests)
    mentions = find_dates(f"On 1 May 2022 and on {impossible} troops moved.")
    assert newest_absolute(mentions) == DateValue(2022, 5, 1)


@pytest.mark.slow
def test_dates_undated_document_with_an_impossible_date_is_coded(rules_res: Resources) -> None:
    doc = Document(id="x", text="On 29 February 2023 Belarus moved troops to the border.",
                   language="en")  # fmt: skip
    assert code_document(doc, rules_res).events


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_dates_written_full_date_round_trips(day: dt.date) -> None:
    for text in (day.isoformat(), day.strftime("%B %-d, %Y"), day.strftime("%-d %B %Y")):
        (mention,) = find_dates(f"on {text}")
        assert resolve(mention, None) == DateValue(day.year, day.month, day.day)


@given(
    st.dates(min_value=dt.date(1950, 3, 1), max_value=dt.date(2090, 12, 31)),
    st.integers(min_value=0, max_value=300),
)
def test_dates_day_month_resolves_to_the_latest_past_occurrence(
    reference: dt.date, back: int
) -> None:
    day = reference - dt.timedelta(days=back)
    if day.month == 2 and day.day == 29:
        return
    (mention,) = find_dates(f"on {day.day} {day.strftime('%B')}")
    assert resolve(mention, reference) == DateValue(day.year, day.month, day.day)


@pytest.mark.slow
def test_dates_an_undated_event_in_a_dated_document_takes_its_publication_date(
    rules_res: Resources,
) -> None:
    doc = Document(id="d", text="Belarus moved troops to the border with Ukraine.",
                   published=dt.date(2024, 6, 20), language="en")  # fmt: skip
    (event,) = code_document(doc, rules_res).events
    assert event.date is not None and event.date.iso() == "2024-06-20"
    assert event.date_basis == DateBasis.PUBLISHED


@pytest.mark.slow
def test_dates_a_relative_date_holds_for_its_own_clause_only(rules_res: Resources) -> None:
    text = (
        "Poland threatened to close its border with Belarus next month. "
        "Lithuania moved troops to the border with Belarus."
    )
    doc = Document(id="r", text=text, published=dt.date(2024, 6, 20), language="en")
    events = code_document(doc, rules_res).events
    (moved,) = [e for e in events if e.event.value == "MOBILIZE"]
    assert moved.date is not None and moved.date.iso() == "2024-06-20"
    (threat,) = [e for e in events if e.event.value == "THREATEN"]
    assert threat.date is not None and threat.date.iso() == "2024-06-20"  # when it was made
