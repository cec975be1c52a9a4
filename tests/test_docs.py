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
