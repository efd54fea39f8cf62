"""Cached response bodies kept gzip-compressed (web/compression.py): which requests accept gzip,
and compressed bytes that depend on the body alone."""

from __future__ import annotations

import gzip

import pytest

from un1540.web.compression import Body, accepts_gzip, body_response, gunzip, gzip_bytes


def scope(accept_encoding: str | None) -> dict[str, object]:
    headers = [] if accept_encoding is None else [(b"accept-encoding", accept_encoding.encode())]
    return {"type": "http", "headers": [(b"host", b"example.org"), *headers]}


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        (None, False),  # no header: the body as it is meant
        ("", False),
        ("gzip", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("deflate, gzip;q=1.0, *;q=0.5", True),
        ("gzip; q=0.001", True),
        ("*", True),
        ("*;q=0.3", True),
        ("identity", False),
        ("deflate, br", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("gzip;q=0, *", False),  # refused by name: `*` names the others only
        ("*;q=0", False),
        ("gzip;q=0.5, identity", False),  # identity weighed higher
        ("gzip, identity;q=0.5", True),
        ("gzip;q=0.5, identity;q=0.5", True),
        ("gzip;q=2", False),  # not a qvalue: the entry counts for nothing
        ("gzip;q=abc, *", True),  # ... and `*` answers for gzip
        ("br;q=1, gzip;level=9", True),  # other parameters ignored
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(scope(header)) is accepted


def test_the_compressed_bytes_depend_on_the_body_alone() -> None:
    body = b"<p>" + "Résolution 1540 ".encode() * 5000 + b"</p>"
    first, second = gzip_bytes(body), gzip_bytes(bytes(body))
    assert first == second
    assert first[4:8] == b"\0\0\0\0"  # no modification time in the header
    assert gzip.decompress(first) == gunzip(first) == body  # a standard gzip member
    packed = Body(body).packed()
    assert packed == Body(first, gzipped=True)
    assert packed.packed() is packed
    assert packed.plain() == Body(body).plain() == body


def test_a_body_is_sent_as_kept_or_inflated_with_vary_either_way() -> None:
    from starlette.responses import Response

    body = Body(b'{"a": 1}' * 100).packed()
    sent = body_response(scope("gzip"), body, response_class=Response, media_type="text/plain")
    assert sent.body == body.data
    assert sent.headers["content-encoding"] == "gzip"
    assert sent.headers["content-length"] == str(len(body.data))
    plain = body_response(
        scope("identity"), body, response_class=Response, headers={"X-Synthetic-Data": "true"}
    )
    assert plain.body == body.plain()
    assert "content-encoding" not in plain.headers
    assert plain.headers["x-synthetic-data"] == "true"
    for response in (sent, plain):
        assert response.headers["vary"] == "Accept-Encoding"
    # A body that is not compressed (the cache off) is sent as it is, whatever is accepted.
    as_is = body_response(scope("gzip"), Body(b"{}"), response_class=Response)
    assert as_is.body == b"{}"
    assert "content-encoding" not in as_is.headers
    assert as_is.headers["vary"] == "Accept-Encoding"
