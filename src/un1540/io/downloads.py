"""The open-data downloads: the data package, bulk JSON and one CSV per table.

The files are built by a background job (io/builds.py), once per data version, into a folder
of their own; /downloads and /api/v1/downloads list and serve the newest ready build, and say
when a newer one is being built. The build streams: each table is read from the database and
written into both files row by row (io/datapackage.py), never held whole in memory. A table's
CSV is streamed back out of the zip when asked for, a piece at a time.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import NotFound
from un1540.io.datapackage import LICENCE, write_open_data_files
from un1540.models import AuditEvent, Build
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.builds import BuildRead
from un1540.schemas.downloads import DownloadList, DownloadRead
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.builds import (
    PUBLIC_AUDIENCE,
    BuildState,
    builds_root,
    current_build,
)
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest
from un1540.services.open_data.tables import public_dataset
from un1540.settings import Settings

OPEN_DATA = "open_data"
CSV_TYPE = "text/csv; charset=utf-8"
PACKAGE, BULK = "datapackage.zip", "dataset.json.gz"
FILES = {
    PACKAGE: (
        "application/zip",
        N_(
            "The whole public dataset as a Frictionless Data Package: datapackage.json "
            "(schemas, licence, citation, caveats) and one CSV per table."
        ),
    ),
    BULK: (
        "application/gzip",
        N_("The same tables in one JSON document (gzip-compressed), with the package's metadata."),
    ),
}


CHUNK = 256 * 1024  # bytes of a table's CSV read out of the zip at a time


def data_as_of(session: Session) -> date:
    """The day of the newest recorded change (the package's date: reproducible, not the clock)."""
    newest = session.scalar(select(AuditEvent.occurred_at).order_by(AuditEvent.id.desc()).limit(1))
    return newest.date() if newest is not None else today()


def write_open_data(
    session: Session, viewer: Viewer, folder: Path, progress: Callable[[float], None]
) -> dict[str, Any]:
    """The builder: the files into `folder`, streamed (each table read once, row by row, into
    both files); returns what the build record keeps of them."""
    as_of = data_as_of(session)
    dataset = public_dataset(session, viewer=viewer)
    with (folder / PACKAGE).open("wb") as package, (folder / BULK).open("wb") as bulk:
        written = write_open_data_files(
            dataset, as_of=as_of, package=package, bulk=bulk, progress=progress
        )
    sizes = {name: (folder / name).stat().st_size for name in (PACKAGE, BULK)}
    return {
        "as_of": as_of.isoformat(),
        "synthetic": dataset.synthetic,
        "files": sizes,
        "tables": [[f"{t.name}.csv", t.description, t.csv_bytes] for t in written],
        "rows": {t.name: t.rows for t in written},
        "bytes": sum(sizes.values()),
    }


def open_data_package(session: Session, *, viewer: Viewer) -> bytes:
    """The data package as bytes, in memory (tests and small datasets)."""
    buffer = BytesIO()
    write_open_data_files(
        public_dataset(session, viewer=viewer), as_of=data_as_of(session), package=buffer
    )
    return buffer.getvalue()


@dataclass(frozen=True)
class ServedFile:
    name: str
    media_type: str
    path: Path | None  # a file of the build, or
    chunks: Iterator[bytes] | None  # a table's CSV streamed out of the package


def _member_chunks(package: Path, member: str) -> Iterator[bytes]:
    """A file inside the zip, a piece at a time (a table's CSV may be large). The zip is opened
    here, before the answer starts: a build folder removed later does not cut the answer."""
    archive = zipfile.ZipFile(package)
    try:
        stream = archive.open(member)
    except BaseException:
        archive.close()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := stream.read(CHUNK):
                yield chunk
        finally:
            stream.close()
            archive.close()

    return chunks()


@dataclass(frozen=True)
class Downloads:
    """A ready build of the open data, as listed and served."""

    folder: Path
    build: Build

    @property
    def synthetic(self) -> bool:
        return bool(self.build.details.get("synthetic", False))

    @property
    def as_of(self) -> str:
        return str(self.build.details.get("as_of", ""))

    @property
    def data_version(self) -> str:
        return self.build.data_version

    @property
    def built_at(self) -> datetime | None:
        return self.build.finished_at

    def listing(self) -> list[tuple[str, str, str, int]]:
        """(name, media type, description, bytes) of every file offered."""
        sizes: dict[str, int] = self.build.details.get("files", {})
        files = [
            (name, media_type, description, int(sizes.get(name, 0)))
            for name, (media_type, description) in FILES.items()
        ]
        tables = [
            (str(name), CSV_TYPE, str(description), int(size))
            for name, description, size in self.build.details.get("tables", [])
        ]
        return files + tables

    def get(self, name: str) -> ServedFile:
        if name in FILES:
            return ServedFile(name, FILES[name][0], self.folder / name, None)
        if any(table[0] == name for table in self.build.details.get("tables", [])):
            chunks = _member_chunks(self.folder / PACKAGE, f"data/{name}")
            return ServedFile(name, CSV_TYPE, None, chunks)
        names = ", ".join(entry[0] for entry in self.listing())
        raise NotFound(f"no download named {name!r}; available: {names}")


def download_list(
    built: Downloads | None, *, paging: PageRequest, newer: BuildRead | None
) -> DownloadList:
    """The listing of /api/v1/downloads: each file with its URL, type, size and description;
    empty (with the build under way in `newer_build`) until the first build is ready."""
    listing = built.listing() if built is not None else []
    items = [
        DownloadRead(
            name=name,
            url=f"/api/v1/downloads/{name}",
            media_type=media_type,
            bytes=size,
            description=description,
        )
        for name, media_type, description, size in listing
    ]
    return DownloadList(
        **envelope(built.synthetic if built is not None else False),
        as_of=built.as_of if built is not None else "",
        licence=LICENCE["name"],
        data_version=built.data_version if built is not None else None,
        built_at=built.built_at if built is not None else None,
        newer_build=newer,
        items=paging.cut(items),
        total=len(items),
        page=paging.page,
        page_size=paging.page_size,
    )


def current_downloads(
    session: Session, *, settings: Settings
) -> tuple[Downloads | None, BuildState]:
    """The newest ready open-data build (None before the first), and where the builds stand;
    asks for a build of the current data if none is asked for yet. Never waits for one."""
    state = current_build(session, kind=OPEN_DATA, audience=PUBLIC_AUDIENCE)
    if state.ready is None:
        return None, state
    return Downloads(builds_root(settings) / state.ready.location, state.ready), state
