"""Settings: sensible defaults, normalised URLs, and no unsafe production start."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_commands import run
from un1540.errors import InvalidData
from un1540.settings import (
    DEVELOPMENT_SECRET_KEY,
    Environment,
    Settings,
    get_settings,
    masked_url,
)


def test_default_database_is_sqlite_in_the_users_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("UN1540_DATABASE_URL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    settings = Settings()
    assert settings.is_sqlite
    assert settings.sqlite_path() == tmp_path / ".local/share/un1540/un1540.sqlite3"


def test_postgresql_urls_use_psycopg_3() -> None:
    settings = Settings(database_url="postgresql://user:pw@db.example.org/un1540")
    assert settings.database_url == "postgresql+psycopg://user:pw@db.example.org/un1540"
    assert settings.sqlite_path() is None


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="UN1540_SECRET_KEY"):
        Settings(env=Environment.production, secret_key=DEVELOPMENT_SECRET_KEY)
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings(env=Environment.production, secret_key="short")
    production = Settings(
        env=Environment.production,
        secret_key="x" * 40,
        database_url="postgresql://un1540@db.example.org/un1540",
    )
    assert production.env is Environment.production


def test_production_start_is_refused_on_the_command_line(tmp_path: Path) -> None:
    result = run("serve", database=tmp_path / "db.sqlite3", UN1540_ENV="production")
    assert result.returncode == 4
    assert "UN1540_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_passwords_are_masked() -> None:
    assert (
        masked_url("postgresql+psycopg://user:secret@host/db")
        == "postgresql+psycopg://user:***@host/db"
    )
    assert "secret" not in masked_url("postgresql://user:secret@host/db")


def test_production_refuses_sqlite() -> None:
    with pytest.raises(ValueError, match="UN1540_DATABASE_URL must name a PostgreSQL database"):
        Settings(env=Environment.production, secret_key="x" * 40, database_url="sqlite:///x.db")
    assert Settings(secret_key="x" * 40, database_url="sqlite:///x.db").is_sqlite  # development


def test_settings_errors_never_print_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Old behaviour: pydantic's message repeated the input, and for the production check the
    input is every setting: the SMTP password and the secret key were printed (`un1540 serve`
    prints this message as it is: test_production_start_is_refused_on_the_command_line)."""
    monkeypatch.setenv("UN1540_SMTP_PASSWORD", "smtp-hunter2")
    monkeypatch.setenv("UN1540_SECRET_KEY", "key-hunter2-but-too-short")
    monkeypatch.setenv("UN1540_ENV", "production")
    monkeypatch.setenv("UN1540_DATABASE_URL", "postgresql://un1540:db-hunter2@db.example.org/x")
    for bad_port, named in ((None, "UN1540_SECRET_KEY"), ("not-a-port", "UN1540_SMTP_PORT")):
        if bad_port is not None:
            monkeypatch.setenv("UN1540_SMTP_PORT", bad_port)
        get_settings.cache_clear()
        with pytest.raises(InvalidData) as caught:
            get_settings()
        message = caught.value.message
        assert named in message
        assert "hunter2" not in message
        assert caught.value.__cause__ is None  # nor in a chained exception's text
    get_settings.cache_clear()
