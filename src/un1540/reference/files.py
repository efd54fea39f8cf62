"""Finding and reading the reference files shipped inside the package."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from un1540.errors import InvalidData, Problem

REFERENCE_DIR = Path(__file__).resolve().parent


def reference_path(name: str) -> Path:
    return REFERENCE_DIR / name


def read_commented_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV whose header block is made of '#' comment lines, with line numbers."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(number, line) for number, line in enumerate(handle, start=1)]
    data = [(number, line) for number, line in lines if not line.startswith("#")]
    reader = csv.DictReader(line for _, line in data)
    for (number, _), row in zip(data[1:], reader, strict=True):
        yield number, row


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning syntax errors into InvalidData that names the file and line."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}" if mark is not None else path.name
        raise InvalidData(
            f"{path.name} is not valid YAML", problems=[Problem(where, str(error))]
        ) from error


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
