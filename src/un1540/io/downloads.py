"""The open-data downloads: the data package, bulk JSON and one CSV per table, built once per
version of the public data (a write to a matrix, a document, the assistance records, the
indicators or the reference data rebuilds them) and listed with their sizes.

Only compressed files are kept in memory (the zip and the gzipped JSON, a few MB for the whole
demo); a table's CSV is read back out of the zip when asked for.
"""

from __future__ import annotations

import gzip
import zipfile
from dataclasses import dataclass
from io import BytesIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import NotFound
from un1540.io.datapackage import LICENCE, dataset_json, package_zip
from un1540.models import AuditEvent
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.downloads import DownloadList, DownloadRead
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import PUBLIC_DATA
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest
from un1540.services.open_data.tables import public_dataset


@dataclass(frozen=True)
class DownloadFile:
    name: str
    media_type: str
    description: str
    content: bytes
    size: int  # of the file as downloaded


@dataclass(frozen=True)
class PackagedTable:
    """A CSV kept inside the data package; read out on demand."""

    name: str
    description: str
    size: int


@dataclass(frozen=True)
class Downloads:
    files: tuple[DownloadFile, ...]
    tables: tuple[PackagedTable, ...]
    synthetic: bool
    as_of: str

    def listing(self) -> list[tuple[str, str, str, int]]:
        """(name, media type, description, bytes) of every file offered."""
        return [(f.name, f.media_type, f.description, f.size) for f in self.files] + [
            (t.name, CSV_TYPE, t.description, t.size) for t in self.tables
        ]

    def get(self, name: str) -> DownloadFile:
        for item in self.files:
            if item.name == name:
                return item
        for table in self.tables:
            if table.name == name:
                with zipfile.ZipFile(BytesIO(self.files[0].content)) as archive:
                    content = archive.read(f"data/{name}")
                return DownloadFile(name, CSV_TYPE, table.description, content, len(content))
        names = ", ".join(entry[0] for entry in self.listing())
        raise NotFound(f"no download named {name!r}; available: {names}")


CSV_TYPE = "text/csv; charset=utf-8"


def _build(session: Session, viewer: Viewer) -> Downloads:
    newest = session.scalar(select(AuditEvent.occurred_at).order_by(AuditEvent.id.desc()).limit(1))
    as_of = newest.date() if newest is not None else today()
    dataset = public_dataset(session, viewer=viewer)
    package = package_zip(dataset, as_of=as_of)
    bulk = gzip.compress(dataset_json(dataset, as_of=as_of), mtime=0)
    files = (
        DownloadFile(
            "datapackage.zip",
            "application/zip",
            N_(
                "The whole public dataset as a Frictionless Data Package: datapackage.json "
                "(schemas, licence, citation, caveats) and one CSV per table."
            ),
            package,
            len(package),
        ),
        DownloadFile(
            "dataset.json.gz",
            "application/gzip",
            N_(
                "The same tables in one JSON document (gzip-compressed), with the package's "
                "metadata."
            ),
            bulk,
            len(bulk),
        ),
    )
    with zipfile.ZipFile(BytesIO(package)) as archive:
        tables = tuple(
            PackagedTable(
                f"{table.name}.csv",
                table.description,
                archive.getinfo(f"data/{table.name}.csv").file_size,
            )
            for table in dataset.tables
        )
    return Downloads(
        files=files, tables=tables, synthetic=dataset.synthetic, as_of=as_of.isoformat()
    )


def downloads(session: Session, *, viewer: Viewer) -> Downloads:
    """The files, built at most once per version of the public data and viewer."""
    return cached(
        session,
        ("downloads", viewer.cache_key),
        depends_on=PUBLIC_DATA,
        compute=lambda: _build(session, viewer),
    )


def download_list(built: Downloads, *, paging: PageRequest) -> DownloadList:
    """The listing of /api/v1/downloads: each file with its URL, type, size and description."""
    items = [
        DownloadRead(
            name=name,
            url=f"/api/v1/downloads/{name}",
            media_type=media_type,
            bytes=size,
            description=description,
        )
        for name, media_type, description, size in built.listing()
    ]
    return DownloadList(
        **envelope(built.synthetic),
        as_of=built.as_of,
        licence=LICENCE["name"],
        items=paging.cut(items),
        total=len(items),
        page=paging.page,
        page_size=paging.page_size,
    )
