"""create_app(): the one place the web application is assembled."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.staticfiles import StaticFiles

import un1540.io.builds  # registers the build task
import un1540.services.matrix.actions.reminders  # noqa: F401  (registers the daily reminders)
from un1540 import __version__
from un1540.db.engine import make_engine, make_session_factory
from un1540.services.kernel.builds import resume_builds
from un1540.services.kernel.cache import configure_cache
from un1540.services.kernel.data_version import PostgresVersionWatch, SqliteVersionWatch
from un1540.services.kernel.jobs import MemoryJobs, configure_jobs, jobs_for
from un1540.services.kernel.workers import BackgroundWorker, WorkerOptions
from un1540.services.library.actions import queue_stale_reads
from un1540.services.notifications.email import configure_email
from un1540.settings import Environment, Settings, get_settings
from un1540.web.api import TAGS, api_router
from un1540.web.api import health as health_api
from un1540.web.auth import SessionCookies
from un1540.web.deps import refuse_nul
from un1540.web.errors import install_error_handlers
from un1540.web.i18n import LanguageMiddleware
from un1540.web.middleware import BodyLimit, HeadAsGet, SecurityHeaders
from un1540.web.openapi import install_openapi
from un1540.web.portal import account_admin as account_admin_pages
from un1540.web.portal import accounts as account_pages
from un1540.web.portal import action_plans as action_plan_pages
from un1540.web.portal import activities as activity_pages
from un1540.web.portal import api_reference as api_reference_pages
from un1540.web.portal import assistance as assistance_pages
from un1540.web.portal import commitments as commitment_pages
from un1540.web.portal import contacts as contact_pages
from un1540.web.portal import dashboard as dashboard_pages
from un1540.web.portal import documents as document_pages
from un1540.web.portal import downloads as download_pages
from un1540.web.portal import editions as edition_pages
from un1540.web.portal import embed as embed_pages
from un1540.web.portal import events as event_pages
from un1540.web.portal import fields as fields_pages
from un1540.web.portal import history as history_pages
from un1540.web.portal import home as home_pages
from un1540.web.portal import imports as import_pages
from un1540.web.portal import inbox as inbox_pages
from un1540.web.portal import incidents as incident_pages
from un1540.web.portal import library as library_pages
from un1540.web.portal import priorities as priorities_pages
from un1540.web.portal import profiles as profile_pages
from un1540.web.portal import reporting as reporting_pages
from un1540.web.portal import reports as report_pages
from un1540.web.portal import risks as risk_pages
from un1540.web.portal import states as states_pages
from un1540.web.portal import suggestions as suggestion_pages
from un1540.web.portal import visits as visit_pages
from un1540.web.warm import WarmUp
from un1540.web.warm_reads import WarmReads

STATIC_DIR = Path(__file__).resolve().parent / "static"

API_DESCRIPTION = """
Open, read-only data on the implementation of UN Security Council resolution 1540 (2004):
the 193 UN Member States, the 1540 matrix (framework versions, editions, cells and their
evidence) and coverage summaries.

Lists are paginated (`page`, `page_size`) and return `{"items", "total", "page", "page_size"}`;
most have a CSV twin (same path with `.csv`). Errors are `{"error": {"code", "message",
"problems"}}`. Every response holding synthetic demo data has `"synthetic": true` at the top
level and the header `X-Synthetic-Data: true`.

The matrix is a reference tool for dialogue and assistance, not a measure of compliance.
"""


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    sessions: sessionmaker[Session] | None = None,
    *,
    warm_up: bool = False,
) -> FastAPI:
    """Build the application for these settings (and, in tests, this engine, or these sessions
    bound to a connection whose transaction the test rolls back). `warm_up` (a server: `un1540
    serve`, web/asgi.py): once started, compute ahead in the background what a process's first
    readers would otherwise wait for (web/warm.py), unless `settings.warm_up` is false."""
    settings = settings or get_settings()
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Routes that touch the database run in this pool; more threads than cores only adds
        # contention for the interpreter lock and lengthens the slowest responses.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        worker = app.state.worker = await anyio.to_thread.run_sync(_start_jobs, app)
        # Everything alive now (imported modules, reference data) lives as long as the process;
        # freezing it keeps full garbage collections, which scan every tracked object, short.
        gc.collect()
        gc.freeze()
        warming = app.state.warming = WarmUp(app).start() if warm_up and settings.warm_up else None
        yield
        if warming is not None:
            await anyio.to_thread.run_sync(warming.stop)
        if worker is not None:
            await anyio.to_thread.run_sync(worker.stop)
        if app.state.version_watch is not None:
            app.state.version_watch.close()
        if owns_engine:  # an engine handed in (tests, scripts) belongs to the caller
            engine.dispose()

    app = FastAPI(
        title="un1540 API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions or make_session_factory(engine)
    configure_email(app.state.sessions, settings)
    configure_cache(settings.cache_mb)
    app.state.jobs = jobs_for(settings, app.state.sessions)
    app.state.worker = None  # the in-process job worker, once started
    app.state.warming = None  # the warm-up thread (web/warm.py), once started
    configure_jobs(app.state.sessions, app.state.jobs)

    # Innermost: a warm anonymous matrix JSON or State page answered from the cache before
    # routing (web/warm_reads.py); the versions of the data are watched on the event loop
    # (kernel/data_version.py): on a SQLite file with `PRAGMA data_version`, on PostgreSQL on a
    # connection of the watch's own, one read for all the requests waiting.
    bind = app.state.sessions.kw.get("bind")
    watch: SqliteVersionWatch | PostgresVersionWatch | None = None
    if SqliteVersionWatch.applies(bind):
        watch = SqliteVersionWatch(bind)
    elif PostgresVersionWatch.applies(bind):
        watch = PostgresVersionWatch(bind)
    app.state.version_watch = watch
    app.add_middleware(WarmReads, sessions=app.state.sessions, watch=watch)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET"],
        expose_headers=["X-Synthetic-Data"],
    )
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SessionCookies, settings=settings)
    # A body over the limit is refused (413) before anything reads or stores it.
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    # Security headers go outside everything, Starlette's error middleware included, so that
    # error pages carry them too (add_middleware would put them inside it).
    build_stack = app.build_middleware_stack
    production = settings.env is Environment.production
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack(), production=production)  # type: ignore[method-assign]
    install_error_handlers(app)
    install_openapi(app, settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health_api.router)
    app.include_router(api_router)
    app.include_router(home_pages.router)
    app.include_router(states_pages.router)
    app.include_router(fields_pages.router)
    app.include_router(priorities_pages.router)
    app.include_router(incident_pages.router)
    app.include_router(activity_pages.router)
    app.include_router(risk_pages.router)
    app.include_router(dashboard_pages.router)
    app.include_router(embed_pages.router)
    app.include_router(report_pages.router)
    app.include_router(reporting_pages.router)
    app.include_router(assistance_pages.router)
    app.include_router(action_plan_pages.router)
    app.include_router(commitment_pages.router)
    app.include_router(download_pages.router)
    app.include_router(account_pages.router)
    app.include_router(account_admin_pages.router)
    app.include_router(inbox_pages.router)
    app.include_router(import_pages.router)  # before the editions' /{transition} route
    app.include_router(edition_pages.router)
    app.include_router(history_pages.router)
    app.include_router(document_pages.router)
    app.include_router(contact_pages.router)
    app.include_router(visit_pages.router)
    app.include_router(event_pages.router)
    app.include_router(profile_pages.router)
    app.include_router(library_pages.router)
    app.include_router(api_reference_pages.router)
    app.include_router(suggestion_pages.router)

    return app


def _start_jobs(app: FastAPI) -> BackgroundWorker | None:
    """Start this process's job worker (unless jobs run inline, or elsewhere), queue again
    the builds a stopped server left waiting, and the reading again of the documents an
    upgrade reads better."""
    settings: Settings = app.state.settings
    if settings.jobs_inline:
        return None
    worker = None
    if settings.worker_in_process:
        jobs = app.state.jobs
        worker = BackgroundWorker(
            engine=app.state.engine,
            settings=settings,
            memory=jobs if isinstance(jobs, MemoryJobs) else None,
            options=WorkerOptions(stalled_seconds=settings.worker_stalled_seconds),
            configure=lambda sessions: configure_email(sessions, settings),
        )
        worker.start()
    with app.state.sessions() as session:
        resume_builds(session)
        queue_stale_reads(session)
    return worker
