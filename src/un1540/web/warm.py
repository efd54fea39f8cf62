"""What a server computes ahead, in the background, once it has started (`un1540 serve` and
`un1540.web.asgi`; not the apps tests build).

Two reads cost seconds of CPU the first time a process serves them, and nothing afterwards
unless the data they count changes: the OpenAPI document (about 1.5 s, built once per process:
the API reference, /api/docs and openapi.json) and the comprehensive review's page for its
default period (about 1.3 s in the first language when its charts were drawn with matplotlib,
then about 0.7 s in each other language; its charts are now SVG written without it, mem10). The
first readers after a start used to wait for them (p99 over 1 s on an idle machine:
benchmarks/portal_routes.py). A thread computes them once the server
answers, through the same single-flight paths as a reader: a reader arriving during the warm-up
waits for that one computation and shares its result, never starting another (the OpenAPI
document's lock, the data cache's flights). English first, then the other five languages.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fastapi import FastAPI

from un1540.reference.languages import UN_LANGUAGES
from un1540.web.i18n import CURRENT_LANGUAGE, DEFAULT_LANGUAGE
from un1540.web.portal.reports import DEFAULT_PERIOD, review_body

log = logging.getLogger(__name__)


def warm_steps(app: FastAPI) -> list[tuple[str, Callable[[], object]]]:
    """Each computation of the warm-up, named, in the order it runs."""

    def review(language: str) -> Callable[[], object]:
        def step() -> object:
            token = CURRENT_LANGUAGE.set(language)
            try:
                with app.state.sessions() as session:
                    return review_body(session, *DEFAULT_PERIOD)
            finally:
                CURRENT_LANGUAGE.reset(token)

        return step

    languages = [DEFAULT_LANGUAGE, *(code for code in UN_LANGUAGES if code != DEFAULT_LANGUAGE)]
    return [("openapi", app.openapi)] + [(f"review:{code}", review(code)) for code in languages]


class WarmUp:
    """The background thread running `warm_steps`; `stop()` lets it end after its current
    step (at shutdown, before the engine is disposed)."""

    def __init__(self, app: FastAPI) -> None:
        self.steps = warm_steps(app)
        self.done: list[str] = []
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="un1540-warm-up", daemon=True)

    def start(self) -> WarmUp:
        self.thread.start()
        return self

    def _run(self) -> None:
        for name, step in self.steps:
            if self._stopping.is_set():
                return
            try:
                step()
            except Exception:  # a warm-up that fails leaves the reader to compute it
                log.exception("warming %s failed", name)
            else:
                self.done.append(name)

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self.thread.join(timeout)
