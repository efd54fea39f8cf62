"""An anonymous GET of a State's matrix JSON, answered before routing (issue 14: a cached answer
cost about four times its bytes' worth of routing and dependency resolution over ~400 routes,
and an uncached one paid the same on top of reading and rendering).

`WarmReads` sits inside every other middleware of ours (security headers, session cookies,
language, HEAD, CORS: they apply to its answers as to any other) and just outside the router.
It takes only requests that hold all of these, else the request goes on to the application
unchanged:

- GET (HEAD arrives as GET), path `/api/v1/states/{three letters}/matrix`, no query string;
- no credentials: no `Authorization` header and no session cookie (the public viewer, exactly
  as `resolve_viewer` decides it; anything else is resolved by the application).

Then it answers what the route answers for the public viewer, through the route's own function
(`matrix_json`: the same body, media type and synthetic-data header):

- the value this process's cache holds for the versions of the data read from the database
  now, in a transaction of its own, as every request does (kernel/cache.py `held`): a write
  committed by any process is seen at once;
- else the value computed (and cached, if the cache is on) as the route computes it; with the
  cache off (`UN1540_CACHE_MB=0`) that is every request. The session reads without a
  transaction (db/engine.py `reads_without_transaction`: two round trips fewer on PostgreSQL).
- If computing it fails (no such State, no approved edition, the database unavailable), the
  request goes on to the route, which meets the same failure and answers it as for any other
  reader (the application's error handlers are inside this middleware's reach only there).
"""

from __future__ import annotations

import re
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from un1540.db.engine import reads_without_transaction
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.cache import MISSING, held
from un1540.web.api.states import matrix_json, matrix_json_key, matrix_json_scopes
from un1540.web.auth import has_credentials
from un1540.web.responses import json_bytes

MATRIX_PATH = re.compile(r"/api/v1/states/([A-Za-z]{3})/matrix")


class WarmReads:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, sessions: sessionmaker[Session]) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope.get("query_string")
            and (match := MATRIX_PATH.fullmatch(scope["path"])) is not None
            and not has_credentials(scope)
        ):
            value = await anyio.to_thread.run_sync(self._public_matrix, match[1])
            if value is not MISSING:
                body, synthetic = value
                await json_bytes(body, synthetic=synthetic)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _public_matrix(self, iso3: str) -> Any:
        with self.sessions() as session:
            reads_without_transaction(session)
            value = held(
                session,
                matrix_json_key(iso3, None, PUBLIC),
                depends_on=matrix_json_scopes(iso3),
            )
            if value is not MISSING:
                return value
            try:
                return matrix_json(session, PUBLIC, iso3, None)
            except Exception:  # answered by the route (see the module docstring)
                return MISSING
