"""Small ASGI middleware of our own."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from un1540.web.auth import is_personal


class HeadAsGet:
    """Answer HEAD like GET (the server sends the headers only), as HTTP expects of every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)


# Everything the portal loads is ours (vendored ECharts and Swagger UI, our scripts and styles):
# no inline script or style, no other origin. Charts are downloaded as data: (PNG) and blob:
# (SVG) URLs; map geometry and API data are fetched from this origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
# Browser features the portal never uses, denied to it and to anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
SECURITY_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),  # for browsers older than frame-ancestors
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("permissions-policy", PERMISSIONS_POLICY),
    ("cross-origin-opener-policy", "same-origin"),
)
HSTS = "max-age=31536000; includeSubDomains"
# Charts made to be embedded (web/portal/embed.py, public data only) may be framed by any site:
# the same policy with `frame-ancestors *`, and no X-Frame-Options.
EMBED_PREFIX = "/embed/"
EMBED_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors *"
)

# The security headers as raw ASGI headers, in the order above: every response's, and the
# embeddable charts' (their own policy, no X-Frame-Options).
_DEFAULTS = tuple((name.encode(), value.encode()) for name, value in SECURITY_HEADERS)
_EMBED_DEFAULTS = tuple(
    (
        name.encode(),
        (EMBED_CONTENT_SECURITY_POLICY if name == "content-security-policy" else value).encode(),
    )
    for name, value in SECURITY_HEADERS
    if name != "x-frame-options"
)


class SecurityHeaders:
    """The security headers of every response (docs/security.md), and `no-store` on responses
    for one visitor only: to a signed-in browser or an API token, or holding a form token.

    Wraps the whole application (create_app installs it outside Starlette's error middleware),
    so error pages carry the headers too. In production, also HSTS: browsers then refuse plain
    HTTP to this host for a year."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        defaults = _EMBED_DEFAULTS if scope["path"].startswith(EMBED_PREFIX) else _DEFAULTS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # MutableHeaders.setdefault for each, in one pass over the response's headers
                # (it scanned them once per header: ~5 us of a warm request's ~60).
                raw = message["headers"] = list(message.get("headers", ()))
                present = {name for name, _ in raw}
                raw.extend(header for header in defaults if header[0] not in present)
                personal = not static and is_personal(scope)
                if self.production or personal:
                    headers = MutableHeaders(scope=message)
                    if self.production:
                        headers["strict-transport-security"] = HSTS
                    if personal:
                        headers["cache-control"] = "no-store"
                        headers.setdefault("vary", "Cookie, Authorization")
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
            if str(scope.get("path", "")).startswith("/api/"):
                await too_large(self.max_bytes)(scope, receive, send)
                return

            async def refused() -> Message:  # a portal form: the app answers with its page
                raise BodyTooLarge

            await self.app(scope, refused, send)
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
