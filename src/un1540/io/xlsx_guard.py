"""Looking at an uploaded XLSX before openpyxl does: what it would cost to read, and whether to.

openpyxl's read-only mode streams rows, but not everything: it loads the shared strings and the
styles whole, scans a sheet to its end when the sheet does not state its size, and holds every
cell of a row at once. A small zip can declare gigabytes (a 7.4 MB file produced 2,000,000
problems and +1 GB of memory before this guard). So, before openpyxl opens it:

1. the zip's directory is read (no unpacking): at most MAX_PARTS parts, each worksheet or the
   shared strings at most MAX_SHEET_BYTES unpacked, every other part at most MAX_OTHER_BYTES,
   all together at most MAX_UNPACKED_BYTES;
2. every XML part is streamed through expat, which builds nothing: no DOCTYPE (so no entity
   tricks), and at most `max_rows` rows, `max_cells` cells and `max_elements` elements in a part
   (MAX_CELLS_PER_ROW cells and MAX_ELEMENTS_PER_ROW elements in a row), stopping at the first
   excess.

Whatever passes costs openpyxl at most a few hundred MB of memory in the worst case and a few
seconds; a real export of every State's matrix (11 MB unpacked) passes in a fraction of a second.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from un1540.errors import text
from un1540.reference.languages import N_

MAX_PARTS = 1_000
MAX_SHEET_BYTES = 100_000_000
MAX_OTHER_BYTES = 10_000_000
MAX_UNPACKED_BYTES = 250_000_000
MAX_CELLS_PER_ROW = 16_384  # Excel's last column, XFD
MAX_ELEMENTS_PER_ROW = 6 * MAX_CELLS_PER_ROW  # openpyxl holds a whole row at once
CHUNK = 1 << 20


@dataclass(frozen=True)
class XlsxLimits:
    """The most rows and cells any one part may hold (the importer derives them from the
    framework and the number of States)."""

    max_rows: int
    max_cells: int

    @property
    def max_elements(self) -> int:
        # A cell is a few elements (c, then v, or is and t, or a few runs of rich text).
        return 6 * self.max_cells + 2 * self.max_rows + 10_000


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Counter:
    """Counts rows, cells and elements of one XML part as expat reads it."""

    def __init__(self, part: str, limits: XlsxLimits) -> None:
        self.part, self.limits = part, limits
        self.max_elements = limits.max_elements  # computed once: start() runs for every element
        self.rows = self.cells = self.elements = self.in_row = self.row_elements = 0

    def start(self, name: str, _attributes: object) -> None:
        self.elements += 1
        self.row_elements += 1
        # The local name: "c" or "x:c" (no namespace processing); a cell is the commonest.
        local = name if ":" not in name else name.rsplit(":", 1)[-1]
        if local == "row":
            self.rows += 1
            self.in_row = self.row_elements = 0
            if self.rows > self.limits.max_rows:
                raise _Refused(
                    text(
                        N_(
                            "%(part)s has more than %(limit)s rows; a matrix sheet has one row "
                            "per State and field"
                        ),
                        part=self.part,
                        limit=f"{self.limits.max_rows:,}",
                    )
                )
        elif local == "c":
            self.cells += 1
            self.in_row += 1
            if self.in_row > MAX_CELLS_PER_ROW or self.cells > self.limits.max_cells:
                raise _Refused(
                    text(
                        N_(
                            "%(part)s has more cells than a matrix sheet can (%(limit)s in all, "
                            "%(per_row)s in a row)"
                        ),
                        part=self.part,
                        limit=f"{self.limits.max_cells:,}",
                        per_row=f"{MAX_CELLS_PER_ROW:,}",
                    )
                )
        if self.row_elements > MAX_ELEMENTS_PER_ROW or self.elements > self.max_elements:
            raise _Refused(
                text(
                    N_("%(part)s has more than %(limit)s XML elements; is it a matrix export?"),
                    part=self.part,
                    limit=f"{self.max_elements:,}",
                )
            )

    def doctype(self, *_arguments: object) -> None:
        raise _Refused(
            text(N_("%(part)s declares a DOCTYPE, which no XLSX part has"), part=self.part)
        )


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: XlsxLimits) -> None:
    counter = _Counter(info.filename, limits)
    parser = expat.ParserCreate()
    parser.StartElementHandler = counter.start
    parser.StartDoctypeDeclHandler = counter.doctype
    parser.EntityDeclHandler = counter.doctype
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def xlsx_refusal(content: bytes, limits: XlsxLimits) -> str | None:
    """Why this XLSX must not be opened (in words for the person who sent it), or None.

    Never raises: a broken zip or broken XML is a refusal too."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                return text(
                    N_("holds %(count)s parts; an XLSX workbook of a matrix has a few dozen"),
                    count=f"{len(parts):,}",
                )
            total = sum(part.file_size for part in parts)
            if total > MAX_UNPACKED_BYTES:
                return text(
                    N_(
                        "would unpack to %(size)s MB; the limit is %(limit)s MB: is it a matrix "
                        "export?"
                    ),
                    size=f"{total / 1e6:,.0f}",
                    limit=MAX_UNPACKED_BYTES // 1_000_000,
                )
            for part in parts:
                big = part.filename.startswith("xl/worksheets/") or part.filename.endswith(
                    "sharedStrings.xml"
                )
                limit = MAX_SHEET_BYTES if big else MAX_OTHER_BYTES
                if part.file_size > limit:
                    return text(
                        N_(
                            "its part %(part)s would unpack to %(size)s MB; the limit is "
                            "%(limit)s MB: is it a matrix export?"
                        ),
                        part=part.filename,
                        size=f"{part.file_size / 1e6:,.0f}",
                        limit=limit // 1_000_000,
                    )
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    _scan(archive, part, limits)
    except _Refused as refused:
        return refused.message
    except expat.ExpatError as error:
        return text(N_("not a readable XLSX workbook (broken XML: %(error)s)"), error=str(error))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        return text(
            N_("not a readable XLSX workbook (a broken zip: %(error)s)"), error=str(error)[:200]
        )
    except Exception as error:  # zlib and others on a hostile file: a refusal, not a crash
        return text(
            N_("not a readable XLSX workbook (%(error)s)"),
            error=f"{type(error).__name__}: {str(error)[:200]}",
        )
    return None
