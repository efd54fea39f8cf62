"""The house rules of docs/development.md ("Layout", "Services", "Doors"), checked on the code.

- imports point one way: reference -> models -> services / analytics -> io -> web / cli;
- among the service domains: kernel -> notifications -> accounts -> documents -> matrix ->
  reporting -> incidents -> coverage -> assistance -> contacts -> action_plans -> visits ->
  library -> evidence -> open_data -> commitments -> profiles (a domain imports only the kernel
  and those before it);
- the doors (web/, cli.py) never commit, never build SQL, and never decide a permission: they
  import no SQLAlchemy query construct and call no session method that reads or writes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "un1540"
LAYERS = ["reference", "models", "schemas", "analytics", "services", "io", "web"]
DOMAINS = [
    "kernel",
    "notifications",
    "accounts",
    "documents",
    "matrix",
    "reporting",
    "incidents",
    "coverage",
    "assistance",
    "activities",  # organisations' activities, compared with the projects
    "contacts",
    "action_plans",
    "visits",
    "library",
    "evidence",
    "events",
    "open_data",
    "commitments",  # commitments and their delivery: reads assistance, plans and editions
    "profiles",  # gathers every domain's reads for a State's or an organisation's page
    "inbox",  # gathers what awaits a signed-in account, by role, from the domains' reads
]
# What a layer may import, besides itself and errors/settings at the bottom of the house.
MAY_IMPORT = {
    "reference": set(),
    "models": {"reference"},
    "schemas": {"reference", "models"},
    "analytics": {"reference"},
    "services": {"reference", "models", "schemas", "analytics", "db"},
    "io": {"reference", "models", "schemas", "analytics", "services", "db"},
    "web": {"reference", "models", "schemas", "analytics", "services", "io", "db", "locale"},
}
SESSION_CALLS = re.compile(
    r"(?<![.\w])session\.(commit|rollback|begin|begin_nested|execute|scalars?|get|add|add_all|delete|"
    r"flush|query|merge|refresh)\("
)


def _modules() -> list[Path]:
    return sorted(path for path in SOURCE.rglob("*.py") if "migrations" not in path.parts)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name.startswith("un1540.")]


def _part(path: Path) -> tuple[str, str | None]:
    """(layer, domain) of a module: e.g. ("services", "matrix")."""
    relative = path.relative_to(SOURCE).parts
    layer = relative[0].removesuffix(".py")
    domain = relative[1] if layer == "services" and len(relative) > 2 else None
    return layer, domain


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_imports_point_one_way(path: Path) -> None:
    layer, domain = _part(path)
    if layer not in MAY_IMPORT:
        return  # cli.py, errors.py, settings.py, db/: the top and the bottom of the house
    wrong = []
    for module in _imports(path):
        target = module.split(".")[1]
        if target in ("errors", "settings", "__version__", layer):
            if layer == "services" and target == "services":
                parts = module.split(".")
                other = parts[2] if len(parts) > 2 else None
                if domain and other in DOMAINS and DOMAINS.index(other) > DOMAINS.index(domain):
                    wrong.append(f"{module} (domain {other} comes after {domain})")
            continue
        if target not in MAY_IMPORT[layer]:
            wrong.append(module)
    assert not wrong, f"{path.relative_to(SOURCE)} imports above its floor: {wrong}"


def test_every_service_module_belongs_to_a_domain() -> None:
    services = SOURCE / "services"
    loose = [p.name for p in services.glob("*.py") if p.name != "__init__.py"]
    assert not loose, f"service modules outside a domain package: {loose}"
    assert sorted(
        p.name for p in services.iterdir() if p.is_dir() and p.name != "__pycache__"
    ) == sorted(DOMAINS)


def _door_files() -> list[Path]:
    return [*sorted((SOURCE / "web").rglob("*.py")), SOURCE / "cli.py"]


@pytest.mark.parametrize("path", _door_files(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_the_doors_neither_commit_nor_query(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "commit()" not in text
    calls = SESSION_CALLS.findall(text)
    assert not calls, f"{path.relative_to(SOURCE)} calls the session itself: {calls}"
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("sqlalchemy")
        ):
            names = {alias.name for alias in node.names}
            assert names <= {"Engine", "Session", "sessionmaker"}, (path.name, names)
