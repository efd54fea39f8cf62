"""`un1540 framework migrate`, run as an operator would run it."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from tests.cli.test_commands import run
from un1540.reference.frameworks import bundled_frameworks

OLD = "un1540-matrix/reconstructed-2016"
NEW = "un1540-matrix/official-2027"


def _next_version_file(folder: Path) -> Path:
    raw = copy.deepcopy(bundled_frameworks()[0].spec.model_dump(mode="json"))
    raw["version"] = "official-2027"
    path = folder / "official-2027.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_migrate_names_the_bad_row_and_writes_nothing_then_runs_dry(tmp_path: Path) -> None:
    database = tmp_path / "un1540.sqlite3"
    assert run("init", database=database).returncode == 0
    loaded = run("import", "framework", str(_next_version_file(tmp_path)), database=database)
    assert loaded.returncode == 0, loaded.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("# test mapping\nfrom,to,note\nop2.use,op2.use,\nop2.usage,op2.use,\n")
    result = run(
        "framework",
        "migrate",
        "--from",
        OLD,
        "--to",
        NEW,
        "--mapping",
        str(bad),
        database=database,
    )
    assert result.returncode != 0
    assert "error: bad.csv does not fit" in result.stderr
    assert f"bad.csv: row 4, from: unknown field 'op2.usage' in {OLD}" in result.stderr
    assert "Traceback" not in result.stderr
    good = tmp_path / "good.csv"
    codes = [f.code for s in bundled_frameworks()[0].spec.sections for f in s.fields]
    good.write_text("from,to,note\n" + "".join(f"{c},{c},\n" for c in codes))
    dry = run(
        "framework",
        "migrate",
        "--from",
        OLD,
        "--to",
        NEW,
        "--mapping",
        str(good),
        "--dry-run",
        database=database,
    )
    assert dry.returncode == 0, dry.stderr
    assert "Old cells nothing carries over: 0" in dry.stdout
    assert "New cells that start blank: 0" in dry.stdout
    assert "Dry run: nothing was written. 0 draft(s) would open, 0 State(s) skipped." in dry.stdout
    assert run("framework", "migrate", "--help", database=database).returncode == 0
