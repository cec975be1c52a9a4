"""The command line, in-process through click's runner, with the real pipeline."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from detente.cli import cli
from tests.conftest import DEMO

pytestmark = pytest.mark.slow
CONTRACT = {"id", "doc_id", "doc_path", "published", "date", "date_precision", "actor", "recipient",
            "event", "mode", "context", "quad_code", "intensity", "status", "claimed_by",
            "event_text", "text", "start", "end", "location", "cameo", "confidence"}  # fmt: skip


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_extract_prints_contract_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Belarus moved troops to the border with Ukraine on Monday.\n")
    code, out, _ = run("extract", str(path), "--published", "2024-06-26")
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert set(record) >= CONTRACT
    assert record["doc_path"] == str(path) and record["published"] == "2024-06-26"
    assert record["date"] == "2024-06-24" and record["event"] == "MOBILIZE"


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_cli_extract_formats(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Belarus moved troops to the border with Ukraine on Monday.\n")
    code, out, _ = run("extract", str(path), "--published", "2024-06-26", "--format", fmt)
    assert code == 0 and "MOBILIZE" in out
    if fmt == "json":
        assert json.loads(out)[0]["actor"][0]["code"] == "BLR"
    if fmt == "csv":  # the export's flat columns: a code is a code, not "BLR/"
        (row,) = csv.DictReader(io.StringIO(out))
        assert row["actor_codes"] == "BLR" and row["recipient_codes"] == "UKR"
        assert row["date_start"] == row["date_end"] == "2024-06-24"


def test_cli_extract_jsonl_corpus_uses_record_ids(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "wire-7",
                "published": "2024-07-13",
                "text": "Minsk ordered the withdrawal of troops from the border with Ukraine.",
            }
        )
        + "\n"
    )
    code, out, _ = run("extract", str(path))
    assert code == 0 and json.loads(out.splitlines()[0])["doc_id"] == "wire-7"


def test_cli_bad_inputs_one_line_each_others_still_coded(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Belarus moved troops to the border with Ukraine on Monday.\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03")
    (tmp_path / "latin1.txt").write_bytes("Minsk said caf\xe9".encode("latin-1"))
    (tmp_path / "cut.html").write_text("<html><body><p>Belarus moved troops")
    (tmp_path / "broken.jsonl").write_text('{"id": "a", "text": "x"\n')
    with (tmp_path / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    bad = [
        "empty.txt",
        "binary.txt",
        "latin1.txt",
        "cut.html",
        "broken.jsonl",
        "huge.txt",
        "missing.txt",
    ]
    code, out, err = run(
        "extract", *(str(tmp_path / n) for n in bad), str(good), "--published", "2024-06-26"
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == len(bad), err
    for name, line in zip(bad, lines, strict=True):
        assert line.startswith("detente: skipped ") and name in line
    assert json.loads(out.splitlines()[0])["event"] == "MOBILIZE"


def test_cli_usage_errors_exit_2() -> None:
    code, _, err = run("extract", "x.txt", "--published", "yesterday")
    assert code == 2 and "not a date" in err
    code, _, _ = run("events", "--dyad", "BLRUKR")
    assert code == 2


def test_cli_ingest_is_idempotent_and_events_filter(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    code, _, err = run("ingest", str(DEMO), "--db", db)
    assert code == 0 and "stored" in err
    _, first, _ = run("events", "--db", db, "--format", "jsonl")
    code, _, err = run("ingest", str(DEMO), "--db", db)
    assert code == 0 and " 0 stored" in err
    _, second, _ = run("events", "--db", db, "--format", "jsonl")
    assert first == second and first
    _, dyad, _ = run("events", "--db", db, "--dyad", "BLR-UKR", "--format", "jsonl")
    records = [json.loads(line) for line in dyad.splitlines()]
    assert records and all(
        {"BLR", "UKR"} <= {m["code"] for m in r["actor"] + r["recipient"]} for r in records
    )
    dates = [r["date"] for r in records if r["date"]]
    assert dates == sorted(dates)
    _, typed, _ = run(
        "events", "--db", db, "--type", "retreat", "--since", "2024-07-01", "--format", "jsonl"
    )
    assert typed and all(json.loads(line)["event"] == "RETREAT" for line in typed.splitlines())


def test_cli_actors_lookup_roles_by_date() -> None:
    code, out, _ = run("actors", "lookup", "Ryzhenkov", "--date", "2024-07-13", "--format", "jsonl")
    assert code == 0 and json.loads(out)["role"] == "Minister of Foreign Affairs of Belarus"
    code, out, _ = run("actors", "lookup", "Lukashneko", "--format", "jsonl")
    assert code == 0 and json.loads(out)["code"] == "BLR"
    code, _, err = run("actors", "lookup", "Nobody Atall")
    assert code == 1 and "no actor known" in err


def test_cli_dyads_by_name_and_reasons_instead_of_silence(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    assert run("ingest", str(DEMO), "--db", db)[0] == 0
    _, by_code, _ = run("events", "--db", db, "--dyad", "BLR-UKR", "--format", "jsonl")
    _, by_name, _ = run("events", "--db", db, "--dyad", "Belarus-Ukraine", "--format", "jsonl")
    assert by_code and by_name == by_code
    code, _, err = run("events", "--dyad", "XYZ-UKR", "--db", db)
    assert code == 2 and "'XYZ': not an ISO 3166 alpha-3 or PLOVER code" in err
    code, _, err = run("events", "--dyad", "Ruritania-Ukraine", "--db", db)
    assert code == 2 and "two country codes or names" in err
    code, out, err = run("events", "--dyad", "Armenia-Azerbaijan", "--db", db)
    assert code == 0 and out == "" and "no stored event matches (dyad ARM-AZE)" in err
    for command in ("tension", "turns", "reciprocity", "report"):
        code, out, err = run(command, "--dyad", "ARM-AZE", "--db", db, *(
            ["-o", str(tmp_path / "r.html")] if command == "report" else []))  # fmt: skip
        assert code == 1 and out == "", command
        assert "no dated incident between ARM and AZE" in err and "BLR-UKR (" in err, command
    assert not (tmp_path / "r.html").exists()
    code, _, err = run("turns", "--dyad", "RUS-UKR", "--db", db)
    assert code == 0 and "no turning point or surge in" in err


def test_cli_read_commands_do_not_create_a_store(tmp_path: Path) -> None:
    import subprocess
    import sys

    detente = Path(sys.executable).with_name("detente")  # the installed command, its main()

    def real(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(detente), *args], capture_output=True, text=True, input=input)

    missing = tmp_path / "typo.db"
    for command in (["events"], ["export"], ["dyads"], ["tension", "--dyad", "BLR-UKR"]):
        done = real(*command, "--db", f"sqlite:///{missing}")
        assert done.returncode == 1 and done.stdout == "", command
        assert done.stderr.strip() == (
            f"detente: error: no store at {missing}: nothing was ingested there "
            "(detente ingest ... --db with this URL creates it)"
        )
    assert not missing.exists()
    done = real("ingest", "-", "--db", "sqlite:///", input="Belarus moved troops.")
    assert done.returncode == 1 and "names no file" in done.stderr


def test_cli_help_loads_no_model_or_store_driver() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from detente.cli import cli; from click.testing import CliRunner;"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0;"
        "heavy = {'spacy', 'onnxruntime', 'sqlalchemy', 'tokenizers', 'pandas'} & set(sys.modules);"
        "assert not heavy, heavy"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_cli_workers_above_the_cores_are_capped_with_a_note(tmp_path: Path) -> None:
    from detente.cli import _cores

    many = str(_cores() + 3)
    doc = tmp_path / "a.txt"
    doc.write_text("Belarus moved troops to the border with Ukraine.")
    code, _, err = run(
        "ingest", str(doc), "--db", f"sqlite:///{tmp_path / 'd.db'}", "--workers", many
    )
    assert code == 0 and f"--workers {many} capped at {_cores()}" in err


def test_cli_export_of_an_empty_store_keeps_its_columns(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from detente import open_store

    db = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(db).close()
    for flag in ([], ["--incidents"]):
        code, out, err = run("export", "--db", db, "--format", "csv", *flag)
        assert code == 0 and err.strip() == "0 records exported"
        header = out.splitlines()
        assert len(header) == 1 and header[0].startswith("id,incident_id,doc_id,")
        assert ("n_sources" in header[0]) == bool(flag)
        target = tmp_path / f"empty{len(flag)}.parquet"
        assert run("export", "--db", db, "--format", "parquet", "-o", str(target), *flag)[0] == 0
        table = pq.read_table(target)
        assert table.num_rows == 0 and "date_start" in table.schema.names
        assert ("sources" in table.schema.names) == bool(flag)
