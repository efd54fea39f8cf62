"""Reading uploaded files without holding more than the limit in memory."""

from __future__ import annotations

from fastapi import UploadFile

from un1540.errors import InvalidData, Problem

CHUNK = 1024 * 1024


async def read_limited(upload: UploadFile, max_bytes: int, *, field: str = "file") -> bytes:
    """The whole upload, or InvalidData as soon as it passes max_bytes."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise InvalidData(
                "the file was not accepted; nothing was written",
                problems=[
                    Problem(field, f"{upload.filename} is larger than {max_bytes // 1_000_000} MB")
                ],
            )
        chunks.append(chunk)
    return b"".join(chunks)
