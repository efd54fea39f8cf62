"""Small ASGI middleware of our own."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Answer HEAD like GET (the server sends the headers only), as HTTP expects of every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)


class BodyTooLarge(HTTPException):
    """The streamed body passed the limit: answered 413 by the app's error handler."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="the request body is too large")


class BodyLimit:
    """Refuse a request body larger than `max_bytes` at the door (413), before any of it is
    parsed or spooled: at once when its Content-Length says so, else as soon as the streamed
    body passes the limit (the rest is never read)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await too_large(self.max_bytes)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        await self.app(scope, limited, send)


def too_large(max_bytes: int) -> Response:
    """The answer to a body over the limit, in the shape of every API error."""
    message = (
        f"the request is larger than the server accepts ({max_bytes // 1_000_000} MB with the "
        "form); it was refused before being read, and nothing of it was kept"
    )
    body = {"error": {"code": "payload_too_large", "message": message, "problems": []}}
    return JSONResponse(body, status_code=413, headers={"Connection": "close"})
