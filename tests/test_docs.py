"""Every command has help and is documented in the README."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from detente.cli import cli
from tests.conftest import ROOT


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


COMMANDS = list(_commands(cli))


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_docs_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]  # type: ignore[assignment]
    assert command.help, f"{' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_docs_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"detente {' '.join(path)}" in readme


def test_docs_readme_shows_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make demo" in readme and "make test" in readme


def _section(heading: str) -> str:
    """The README's text under ``heading`` up to the next heading of its level."""
    readme = (ROOT / "README.md").read_text("utf-8")
    level = heading.split(" ", 1)[0]
    after = readme.split(f"\n{heading}\n", 1)[1]
    return re.split(rf"\n{level} ", after, maxsplit=1)[0]


def test_docs_readme_documents_every_export_column() -> None:
    from detente.exports.flat import INCIDENT_COLUMNS
    from detente.exports.parquet import INCIDENT_SCHEMA

    section = _section("## Export formats")
    tables = section.split("**Parquet**", 1)[1].split("**CSV**", 1)
    documented = [set(re.findall(r"^\| (.+?) \|", t, re.MULTILINE)) for t in tables]
    parquet, flat = ({n for cell in d for n in re.findall(r"`(\w+)`", cell)} for d in documented)
    assert set(INCIDENT_SCHEMA.names) == parquet
    assert set(INCIDENT_COLUMNS) == flat


@pytest.mark.slow
def test_docs_python_api_example_runs_on_a_real_store(
    demo_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's store-to-plot example, run as written against the demo corpus's store."""
    blocks = re.findall(r"```python\n(.*?)```", _section("## Python API"), re.DOTALL)
    (example,) = [b for b in blocks if "frames.events" in b]
    shutil.copy(demo_db, tmp_path / "demo.db")
    monkeypatch.chdir(tmp_path)
    import matplotlib

    matplotlib.use("Agg")  # no display: draw to the file only
    import matplotlib.pyplot as plt

    try:
        exec(compile(example, "README.md", "exec"), {"__name__": "readme_example"})
    finally:
        plt.close("all")
    assert (tmp_path / "blr-ukr.png").stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "MOBILIZE" in printed and "asserted" in printed


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _mentioned(option: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "detente")
def test_docs_every_option_of_every_help_is_in_the_readme(path: tuple[str, ...]) -> None:
    """Every option a ``--help`` lists (its long spellings, and the ``--no-`` side of a switch)
    is written in the README."""
    readme = (ROOT / "README.md").read_text("utf-8")
    command = _command(path)
    shown = CliRunner().invoke(cli, [*path, "--help"]).output
    for param in command.get_params(click.Context(command)):
        if not isinstance(param, click.Option) or param.hidden:
            continue
        for option in (*param.opts, *param.secondary_opts):
            if option.startswith("--") and option in shown:
                assert _mentioned(option, readme), f"{' '.join(path)} {option} is not in the README"


def _synopses() -> list[str]:
    table = _section("## Command line").split("\n\n", 2)[1]
    return re.findall(r"^\| `(detente [^`]+)` \|", table, re.MULTILINE)


@pytest.mark.parametrize("synopsis", _synopses())
def test_docs_the_commands_table_matches_the_commands(synopsis: str) -> None:
    """Each row of the commands table names a command that exists, with options it has and, where
    it lists choices (``--format jsonl|csv``), exactly the choices the command takes."""
    words = synopsis.replace("\\|", "|").split()[1:]
    path: tuple[str, ...] = ()
    while words and isinstance(_command(path), click.Group) and words[0] in _command(path).commands:  # type: ignore[attr-defined]
        path, words = (*path, words[0]), words[1:]
    assert path, synopsis
    command = _command(path)
    options = {
        o: p
        for p in command.params
        if isinstance(p, click.Option)
        for o in (*p.opts, *p.secondary_opts)
    }
    for found in re.finditer(r"\[?(--[\w-]+)(?: ([^\]\s]+))?", " ".join(words)):
        name, value = found.group(1), found.group(2)
        assert name in options, f"{synopsis}: {name} is no option of detente {' '.join(path)}"
        kind = options[name].type
        if value and "|" in value and not value.startswith("--") and isinstance(kind, click.Choice):
            assert set(value.split("|")) == set(kind.choices), (
                f"{synopsis}: {name} takes {kind.choices}"
            )


def _readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", _section("## Command line"), re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith("detente ")]


def test_docs_the_readme_shows_commands_to_run() -> None:
    shown = {line.split()[1] for line in _readme_commands()}
    assert {"ingest", "events", "dyads", "tension", "turns", "report", "export"} <= shown


@pytest.mark.slow
@pytest.mark.parametrize("line", _readme_commands())
def test_docs_every_readme_command_runs(
    line: str, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's commands, run as written from a copy of the repository's demo data and the
    store `make demo` fills."""
    import shlex

    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data" / "demo")
    shutil.copy(demo_db, tmp_path / "demo.db")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, shlex.split(line)[1:])
    assert result.exit_code == 0, f"{line}: {result.stderr}"
    written = [p for p in tmp_path.iterdir() if p.suffix in (".html", ".csv")]
    assert result.stdout.strip() or result.stderr.strip() or written, line


ACCURACY_ROWS = {
    "detection precision": "detection_precision",
    "detection recall": "detection_recall",
    "detection F1": "detection_f1",
    "type accuracy (detected)": "type_accuracy",
    "type macro-F1 (misses counted)": "type_macro_f1",
    "quad accuracy": "quad_accuracy",
    "actor country F1 (detected)": "actor_country_f1",
    "recipient country F1 (detected)": "recipient_country_f1",
    "mode accuracy": "mode_accuracy",
    "date right": "date_accuracy",
    "status right": "status_accuracy",
    "sentences without an event left uncoded": "no_event_right",
    "records with any event": "record_recall",
    "records whose surest event has the gold type": "top_type_accuracy",
}
ACCURACY_COLUMNS = (
    "corpus/docs",
    "plover-gsr/PLOVER_GSR_CAMEO.txt",
    "petr2-gsr/PETR2_GSR_validation.xml",
)


def test_docs_the_accuracy_figures_are_the_gold_gate_s() -> None:
    """One set of accuracy figures: the README's table gives each metric once per gold set, and
    every figure the gold gate pins is the measured value its floor was rounded down from
    (tests/eval_baseline.json: floor <= figure < floor + 0.02)."""
    import json

    floors = json.loads((ROOT / "tests" / "eval_baseline.json").read_text("utf-8"))["files"]
    section = _section("## Accuracy and the gold gate")
    rows = re.findall(r"^\| ([^|]+?) \| (.+) \|$", section, re.MULTILINE)
    names = [name for name, _ in rows if name in ACCURACY_ROWS]
    assert sorted(names) == sorted(set(names)) and len(names) == len(ACCURACY_ROWS)
    checked = 0
    for name, cells in rows:
        if name not in ACCURACY_ROWS:
            continue
        for column, cell in zip(ACCURACY_COLUMNS, cells.split(" | "), strict=True):
            floor = floors[column]["floors"].get(ACCURACY_ROWS[name])
            if floor is None or "→" not in cell:
                continue
            now = float(cell.split("→")[1])
            assert floor <= now < floor + 0.02, f"{name} on {column}: README {now}, floor {floor}"
            checked += 1
    assert checked >= 30
    # and nowhere else: the prose gives no other recall, precision or F1 of the coder (only the
    # detector's own dev-split figures, named as such: "trigger F1", "argument words F1")
    prose = "\n".join(line for line in section.splitlines() if not line.startswith("|"))
    figures = re.findall(r"(\w+) (recall|precision|F1) (0\.\d+)", prose)
    assert all(before in ("trigger", "words") for before, _, _ in figures), figures
