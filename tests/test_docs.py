"""The documentation stays complete: every setting, command and API route is described."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.models import CommandInfo

from un1540.cli import app as cli_app
from un1540.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_in_the_settings_table() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(UN1540_[A-Z_]+)`", text))
    expected = {f"UN1540_{name.upper()}" for name in Settings.model_fields}
    assert expected <= documented, expected - documented


def _command_name(command: CommandInfo) -> str:
    assert command.callback is not None
    return command.name or command.callback.__name__.replace("_", "-")


def test_every_command_is_in_the_cli_guide() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    commands = [_command_name(command) for command in cli_app.registered_commands]
    for group in cli_app.registered_groups:
        assert group.typer_instance is not None
        commands += [
            f"{group.name} {_command_name(command)}"
            for command in group.typer_instance.registered_commands
        ]
    assert {"init", "serve", "db upgrade", "import framework"} <= set(commands)
    for command in commands:
        assert f"## `un1540 {command}" in text, command


def test_every_api_route_is_in_the_api_guide(client: TestClient) -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    for path, operations in client.get("/api/v1/openapi.json").json()["paths"].items():
        for method in operations:
            assert f"`{method.upper()} {path}" in text, f"{method.upper()} {path}"


def test_readme_has_the_two_commands_and_links_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make run" in text
    assert "make test" in text
    for link in re.findall(r"\]\(((?:docs/)[^)#]+)", text):
        assert (README.parent / link).exists(), link
