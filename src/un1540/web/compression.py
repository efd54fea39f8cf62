"""Cached response bodies kept gzip-compressed, and sent as they are to clients that accept gzip.

The process's cache (services/kernel/cache.py) holds the rendered pages (web/portal/page_cache.py)
and the matrix JSON (web/api/states.py `matrix_json`): about 82 of its 115 MB were those bytes
after every page at 1x history (docs/performance.md, "What the cache holds"). A body is stored
compressed (`Body.packed`, the cache's `pack`: once per entry, when it is stored; never with
the cache off, whose bodies are sent as they are computed), the cache counts the compressed
size, and `body_response` answers it:

- to a request whose Accept-Encoding accepts gzip (`accepts_gzip`), the stored bytes as they
  are, with `Content-Encoding: gzip` (no work: a warm hit costs what it cost before, and sends
  a twelfth of the bytes);
- to any other request, inflated (a fraction of a millisecond for a ~280 KB page);
- always with `Vary: Accept-Encoding`, so a shared cache in front never hands the compressed
  bytes to a client that did not ask for them.

The output is deterministic: no time in the gzip header (zlib writes a zero modification time),
so identical bodies give identical bytes, and a page computed by the route and one served before
routing (web/warm_reads.py) are the same bytes.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from starlette.responses import Response
from starlette.types import Scope

# Level 6 (zlib's default) over level 1: a State page 281 KB -> 16 KB instead of 21 KB, every
# body about a quarter smaller in the cache and on the wire, for about 1 ms more once per entry
# (a page takes some 75 ms to render): docs/performance.md, mem11.
LEVEL = 6
_GZIP = 31  # zlib's wbits for a gzip header and trailer
VARY = "Accept-Encoding"
R = TypeVar("R", bound=Response)
_QVALUE = re.compile(r"(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")


@dataclass(frozen=True, slots=True)
class Body:
    """A response body: `data`, gzip-compressed if `gzipped`."""

    data: bytes
    gzipped: bool = False

    def packed(self) -> Body:
        """The body as the cache keeps it: gzip-compressed."""
        return self if self.gzipped else Body(gzip_bytes(self.data), gzipped=True)

    def plain(self) -> bytes:
        """The body's bytes, inflated if need be."""
        return gunzip(self.data) if self.gzipped else self.data


def gzip_bytes(data: bytes) -> bytes:
    """`data` gzip-compressed, the same bytes for the same data (modification time zero)."""
    return zlib.compress(data, LEVEL, wbits=_GZIP)


def gunzip(data: bytes) -> bytes:
    return zlib.decompress(data, wbits=_GZIP)


def accepts_gzip(scope: Scope) -> bool:
    """Whether the request's Accept-Encoding accepts gzip (RFC 9110, 12.5.3)."""
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            return _accepts_gzip(value)
    return False  # no header: send the body as it is meant, not compressed


@functools.lru_cache(maxsize=64)
def _accepts_gzip(header: bytes) -> bool:
    """gzip is sent if the header gives `gzip` (or `x-gzip`), or else `*`, a weight above zero,
    and does not weigh `identity` above it. Codings not listed, and entries whose weight is not
    a valid qvalue, count for nothing; with no weight an entry weighs 1."""
    weights: dict[str, float] = {}
    for entry in header.decode("latin-1").split(","):
        coding, *parameters = (part.strip() for part in entry.split(";"))
        coding = coding.lower()
        if not coding:
            continue
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                weight = float(value) if _QVALUE.fullmatch(value) else -1.0
        if weight >= 0:
            weights.setdefault("gzip" if coding == "x-gzip" else coding, weight)
    gzip = weights.get("gzip", weights.get("*", 0.0))
    return gzip > 0 and gzip >= weights.get("identity", 0.0)


def body_response(
    scope: Scope,
    body: Body,
    *,
    response_class: type[R],
    media_type: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> R:
    """The response for a cached body: compressed as stored if the request accepts gzip,
    inflated otherwise; `Vary: Accept-Encoding` either way."""
    all_headers = {**(headers or {}), "Vary": VARY}
    if not body.gzipped:
        content = body.data
    elif accepts_gzip(scope):
        content = body.data
        all_headers["Content-Encoding"] = "gzip"
    else:
        content = gunzip(body.data)
    return response_class(
        content=content, status_code=status_code, media_type=media_type, headers=all_headers
    )
