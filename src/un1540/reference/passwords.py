"""The list of common passwords that accounts may not use (reference/common-passwords.txt)."""

from __future__ import annotations

from functools import lru_cache

from un1540.errors import InvalidData, Problem
from un1540.reference.files import reference_path

COMMON_PASSWORDS_FILE = "common-passwords.txt"


def parse_password_list(text: str, name: str = COMMON_PASSWORDS_FILE) -> frozenset[str]:
    """The entries after the header block ('#' lines, then one empty line)."""
    header, separator, body = text.partition("\n\n")
    problems = []
    if not separator or not all(line.startswith("#") for line in header.splitlines()):
        problems.append(Problem(f"{name}:1", "must begin with '#' header lines and an empty line"))
    offset = header.count("\n") + 3  # the first entry's line number
    entries = body.splitlines()
    for number, entry in enumerate(entries, start=offset):
        if not entry.strip() or entry != entry.strip() or entry != entry.lower():
            problems.append(Problem(f"{name}:{number}", "an entry must be lowercase, not blank"))
    if problems:
        raise InvalidData(f"{name} is not a valid password list", problems=problems[:20])
    return frozenset(entries)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """About 20,000 passwords, lowercase (read once per process: ~1.5 MB, 10 ms)."""
    path = reference_path(COMMON_PASSWORDS_FILE)
    return parse_password_list(path.read_text(encoding="utf-8"), path.name)
