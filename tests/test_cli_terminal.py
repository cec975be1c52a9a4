"""The command line on a terminal: tables as wide as the terminal, the ingest progress bar, and
a broken rule file as a usage error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from detente.cli import cli
from detente.output import column_widths, write_records
from tests.conftest import DEMO

ROWS = [
    {"date": "2024-06-20", "dyad": "BLR-UKR", "note": "a" * 40, "text": "b" * 60},
    {"date": "2024-06-21", "dyad": "RUS-UKR", "note": "short", "text": "c" * 10},
]


def _table(monkeypatch: pytest.MonkeyPatch, columns: int) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = io.StringIO()
    write_records(ROWS, "table", out)
    return out.getvalue().splitlines()


def test_cli_a_table_that_fits_the_terminal_is_never_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _table(monkeypatch, 140)  # the table is 10 + 7 + 40 + 60 + 3 gaps of 2 = 123 wide
    assert not any("…" in line for line in lines)
    assert "a" * 40 in lines[1] and "b" * 60 in lines[1]


def test_cli_a_table_wider_than_the_terminal_is_cut_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _table(monkeypatch, 80)
    assert all(len(line) <= 80 for line in lines)
    assert lines[1].startswith("2024-06-20  BLR-UKR")  # narrow columns stay whole
    assert "…" in lines[1] and "short" in lines[2]


@pytest.mark.parametrize(
    ("natural", "width", "expected"),
    [
        ([10, 7, 40, 60], 123, [10, 7, 40, 60]),
        ([10, 7, 40, 60], 80, [10, 7, 28, 29]),
        ([30, 30], 20, [9, 9]),
        ([30, 30, 30], 20, [8, 8, 8]),  # too narrow for anything: each keeps 8 and it overflows
    ],
)
def test_cli_column_widths(natural: list[int], width: int, expected: list[int]) -> None:
    assert column_widths(natural, width) == expected


def test_cli_ingest_progress_bar_is_forced_by_progress(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    page = str(DEMO / "2024-06-21-border-buildup.md")
    shown = CliRunner().invoke(cli, ["ingest", page, "--db", url, "--progress"])
    assert shown.exit_code == 0, shown.stderr
    assert "\x1b[" in shown.stderr and "1 stored, 0 already," in shown.stderr  # the bar's line
    quiet = CliRunner().invoke(cli, ["ingest", page, "--db", url])  # not a terminal: no bar
    assert quiet.exit_code == 0 and "\x1b[" not in quiet.stderr
    assert quiet.stderr.splitlines() == [
        "1 documents read, 0 stored, 1 already stored, 0 events; skipped: none"
    ]


def test_cli_a_broken_rule_file_is_a_usage_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - {dyad: BLR-UKR, index_above: 20}\n", "utf-8")  # no name
    result = CliRunner().invoke(cli, ["alerts", "--rules", str(rules), "--db", "sqlite:///x.db"])
    assert result.exit_code == 2
    assert "--rules" in result.stderr and "needs a 'name'" in result.stderr
