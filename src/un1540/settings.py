"""All configuration, in one typed object read from UN1540_* environment variables.

docs/settings.md documents every field; tests/test_docs.py fails when one is missing there.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from un1540.errors import InvalidData

DEVELOPMENT_SECRET_KEY = "development-only-secret-change-me"
FORM_OVERHEAD = 1_000_000  # bytes a multipart form may add to its file (boundaries, fields)


class Environment(StrEnum):
    development = "development"
    production = "production"


def default_files_dir() -> Path:
    """Uploaded documents, beside the embedded database."""
    return user_data_path("un1540", appauthor=False) / "files"


def default_evidence_model_dir() -> Path:
    """The trained evidence-suggestion model, beside the embedded database."""
    return user_data_path("un1540", appauthor=False) / "evidence-model"


def default_database_url() -> str:
    """The embedded SQLite file in the user's data directory."""
    return f"sqlite:///{user_data_path('un1540', appauthor=False) / 'un1540.sqlite3'}"


class Settings(BaseSettings):
    """Settings of one un1540 installation."""

    model_config = SettingsConfigDict(env_prefix="UN1540_", extra="ignore")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL of the database (sqlite:///PATH or postgresql+psycopg://...).",
    )
    env: Environment = Field(
        default=Environment.development,
        description="development or production; production refuses unsafe settings.",
    )
    secret_key: str = Field(
        default=DEVELOPMENT_SECRET_KEY,
        description="Key that signs session cookies; set a long random value in production.",
    )
    files_dir: Path = Field(
        default_factory=default_files_dir,
        description="Where uploaded documents are kept, named by their SHA-256.",
    )
    evidence_model_dir: Path = Field(
        default_factory=default_evidence_model_dir,
        description=(
            "Where the evidence-suggestion model is cached once trained (from the development "
            "set at first use, then by `un1540 evidence retrain`); safe to delete."
        ),
    )
    pg_bindir: Path | None = Field(
        default=None,
        description=(
            "Directory of pg_dump and pg_restore for `un1540 backup` and `restore` on "
            "PostgreSQL; unset: the server's version under /usr/lib/postgresql, then PATH."
        ),
    )
    max_upload_mb: int = Field(
        default=25, ge=1, le=2000, description="Largest document or import file accepted, in MB."
    )
    web_threads: int = Field(
        default=4,
        ge=1,
        le=200,
        description=(
            "Worker threads per server process for database work. Few threads keep latency "
            "steady on few cores; raise it for a PostgreSQL server far away."
        ),
    )
    cache_mb: int = Field(
        default=128,
        ge=0,
        le=65536,
        description=(
            "Memory budget, in MB, of each process's cache of computed reads (State pages, "
            "matrices, coverage, downloads); the least recently used go first. 0 turns it off."
        ),
    )
    page_size_default: int = Field(
        default=50, ge=1, le=500, description="Items per page of API lists when none is asked."
    )
    page_size_max: int = Field(
        default=500,
        ge=1,
        le=500,  # services/kernel/paging.py MAX_PAGE_SIZE bounds every list, whoever asks
        description="Largest page an API client may ask for (at most 500).",
    )
    jobs_inline: bool = Field(
        default=False,
        description=(
            "Run each background job at once, in the request or command that asks for it, "
            "instead of queueing it (tests, debugging): pages then wait for the files they need."
        ),
    )
    worker_in_process: bool = Field(
        default=True,
        description=(
            "`un1540 serve` runs a job worker in a thread of its own process. Set false on "
            "PostgreSQL when `un1540 worker` runs the jobs; SQLite needs it (its queue lives in "
            "the server's memory)."
        ),
    )
    builds_in_child_process: bool = Field(
        default=True,
        description=(
            "When `un1540 serve` runs the job worker in its own process (always on SQLite), "
            "build the open data and every State's matrices in a child process, so that a "
            "build neither leaves its memory in the server (about 130 MB at 10x history) nor "
            "competes with the requests for Python's interpreter lock. Not for an in-memory "
            "SQLite database (a child cannot see it); `un1540 worker` builds in its own process."
        ),
    )
    build_niceness: int = Field(
        default=10,
        ge=0,
        le=19,
        description=(
            "How much a build's child process (`builds_in_child_process`) lowers its CPU "
            "priority (Unix `nice`, added to the server's), so that a busy server's requests "
            "come before the build on a shared core; the build still runs whenever the core "
            "has time to spare. 0: the build competes as an equal."
        ),
    )
    warm_up: bool = Field(
        default=True,
        description=(
            "Once a server (`un1540 serve`, web/asgi.py) answers, compute in a background "
            "thread the OpenAPI document and the review page of its default period in the six "
            "languages, which its first readers would otherwise wait for (about 5 s of CPU)."
        ),
    )
    rebuild_delay_seconds: int = Field(
        default=60,
        ge=0,
        le=86400,
        description=(
            "The open-data rebuild a write asks for waits this long, so that the writes of that "
            "while ask for one build of the data as it is then; a visitor who asks for the files "
            "meanwhile is not kept waiting. 0: a build is queued after every write, at once."
        ),
    )
    worker_stalled_seconds: int = Field(
        default=60,
        ge=1,
        le=3600,
        description=(
            "A job whose worker has sent no heartbeat for this long (the worker was killed) is "
            "queued again for another worker."
        ),
    )
    export_requests_per_hour: int = Field(
        default=30,
        ge=1,
        le=10000,
        description="How often an account may ask for every State's matrices at once, per hour.",
    )
    smtp_host: str = Field(
        default="", description="SMTP server for notification e-mails; empty: no e-mail is sent."
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    smtp_sender: str = Field(
        default="un1540@localhost", description="The From address of notification e-mails."
    )
    smtp_username: str = Field(default="", description="SMTP login, if the server wants one.")
    smtp_password: str = Field(default="", description="SMTP password, with smtp_username.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS with the SMTP server.")
    password_reset_minutes: int = Field(
        default=60,
        ge=5,
        le=7 * 24 * 60,
        description=(
            'A password reset link sent by e-mail ("Forgot your password?", or sent by an '
            "administrator) works this many minutes, once."
        ),
    )
    public_url: str = Field(
        default="",
        pattern=r"^$|^https?://[^\s/]+(/[^\s]*)?$",
        description=(
            "The portal's address as its readers reach it (e.g. https://un1540.example.org), "
            "used in the links sent by e-mail; empty: the address of the request that asked "
            "for the e-mail. Set it in production, where the request's Host header is not to "
            "be trusted."
        ),
    )
    review_period_days: int = Field(
        default=60,
        ge=1,
        le=3650,
        description=(
            "The State's review period: sharing a draft with the State (or reopening it) sets "
            "its response deadline this many days later; before it, approving a draft the State "
            "has not agreed to needs the Committee's reason."
        ),
    )
    review_reminder_days: int = Field(
        default=14,
        ge=0,
        le=3650,
        description=(
            "`un1540 notify reminders` reminds the State's points of contact this many days "
            "before their response deadline (0: no reminder before it), and once after it."
        ),
    )
    deadline_reminder_days: str = Field(
        default="14,3",
        pattern=r"^$|^[0-9]{1,4}(,[0-9]{1,4}){0,9}$",
        description=(
            '"Deadline near": the daily reminders job tells who must act this many days '
            "before a due date (action plan milestones, assistance project milestones, "
            "commitments' target dates), once per item and threshold; several thresholds "
            "separated by commas (e.g. 14,3); empty: none (docs/inbox.md)."
        ),
    )
    reminders_cron: str = Field(
        default="0 6 * * *",
        pattern=r"^$|^[0-9*,/-]+( [0-9*,/-]+){4}$",
        description=(
            "When the job workers send the day's reminders (the review periods of shared "
            "drafts), as a cron schedule in UTC (minute hour day month weekday); empty: never "
            "(run `un1540 notify reminders` from a timer instead)."
        ),
    )
    contact_stale_months: int = Field(
        default=12,
        ge=1,
        le=120,
        description=(
            "A point of contact not confirmed for this many months is stale: listed as such, "
            "and its State reminded by `un1540 contacts stale --remind` (docs/contacts.md)."
        ),
    )
    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="A portal session ends after this many minutes without a request.",
    )
    session_max_hours: float = Field(
        default=12,
        gt=0,
        le=30 * 24,
        description="A portal session ends this many hours after sign-in, however active.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        # Plain postgresql:// would pick psycopg2, which we do not ship; use psycopg 3.
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @model_validator(mode="after")
    def _refuse_a_queue_without_worker(self) -> Settings:
        if self.is_sqlite and not self.worker_in_process and not self.jobs_inline:
            raise ValueError(
                "UN1540_WORKER_IN_PROCESS=false needs PostgreSQL: on SQLite the job queue lives "
                "in the server's memory, so the server must run the worker (or set "
                "UN1540_JOBS_INLINE=true)"
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env is not Environment.production:
            return self
        if self.secret_key == DEVELOPMENT_SECRET_KEY or len(self.secret_key) < 32:
            raise ValueError(
                "UN1540_SECRET_KEY must be set to a random value of at least 32 characters "
                "when UN1540_ENV=production"
            )
        if self.is_sqlite:
            # One writer at a time, one file on one machine, no worker processes: fine for a
            # laptop or a demonstration, not for the Committee's service.
            raise ValueError(
                "UN1540_DATABASE_URL must name a PostgreSQL database when UN1540_ENV=production "
                "(SQLite is for development and demonstrations)"
            )
        return self

    @property
    def max_request_bytes(self) -> int:
        """The largest request body accepted: an upload at the limit plus its form fields."""
        return self.max_upload_mb * 1_000_000 + FORM_OVERHEAD

    @property
    def deadline_thresholds(self) -> tuple[int, ...]:
        """UN1540_DEADLINE_REMINDER_DAYS as numbers of days, largest first (none if empty)."""
        days = {int(part) for part in self.deadline_reminder_days.split(",") if part}
        return tuple(sorted(days, reverse=True))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file, for SQLite URLs that name one."""
        if not self.is_sqlite:
            return None
        database = make_url(self.database_url).database
        return Path(database) if database and database != ":memory:" else None


def masked_url(url: str) -> str:
    """The URL with its password hidden, safe to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def describe_settings_error(error: ValidationError) -> str:
    """What is wrong, naming each variable, and never a value: pydantic's own message repeats
    the input, which for a whole-settings check is every setting, passwords and keys included."""
    lines = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        names = [str(part) for part in item.get("loc", ()) if str(part)]
        where = ", ".join(f"UN1540_{name.upper()}" for name in names) if names else ""
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(lines) or "invalid settings"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    try:
        return Settings()
    except ValidationError as error:
        raise InvalidData(f"invalid settings: {describe_settings_error(error)}") from None
