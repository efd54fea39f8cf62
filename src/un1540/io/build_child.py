"""One build in a process of its own: `python -m un1540.io.build_child`, started by the web
server's job worker (io/builds.py `build_in_child`).

It reads one JSON object on standard input (the settings, the kind and audience of the build,
its id and the folder to write into), builds the files there with the builder the worker
would have called (`BUILDERS`), records the progress in the database as that builder does, and
prints one JSON line: `{"details": {...}}`, or `{"error": "Type: message"}` with exit code 1.
The worker's process keeps the build's bookkeeping (claiming, finishing, failing it); the
memory the build needs is given back to the system when this process ends.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from un1540.db.engine import make_engine, make_session_factory
from un1540.io.builds import BUILDERS
from un1540.services.kernel.builds import progress_reporter, viewer_of
from un1540.services.kernel.jobs import JobRun
from un1540.settings import Settings

LOGGER = logging.getLogger("un1540.builds")


def main() -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    request = json.loads(sys.stdin.read())
    settings = Settings(**request["settings"])
    niceness = lower_priority(settings.build_niceness)
    LOGGER.info("building %s for %s at niceness %d", request["kind"], request["audience"], niceness)
    engine = make_engine(settings.database_url, create_directory=False)
    try:
        sessions = make_session_factory(engine)
        build_id = int(request["build_id"])
        with sessions() as session:
            details = BUILDERS[request["kind"]](
                session,
                viewer_of(request["audience"]),
                Path(request["folder"]),
                progress_reporter(JobRun(sessions, settings), build_id),
            )
    except Exception as error:
        LOGGER.exception("the %s build for %s failed", request.get("kind"), request.get("audience"))
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        return 1
    finally:
        engine.dispose()
    print(json.dumps({"details": details}))
    return 0


def lower_priority(increment: int) -> int:
    """Lower this process's CPU priority by `increment` (the build yields the core to the
    server's requests) and return its niceness; unchanged where `os.nice` does not exist."""
    if not hasattr(os, "nice"):
        return 0
    return os.nice(increment)


if __name__ == "__main__":
    sys.exit(main())
