"""Web safety: an access token when bound beyond loopback, CSRF on every POST, strict headers.

CSRF uses a double-submit token: a random value in an HttpOnly, SameSite=Strict cookie that
every form (and the page's script, through a meta tag) sends back; a POST whose value does not
match is refused before any handler runs.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Optional
from urllib.parse import parse_qs

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

CSRF_COOKIE = "sourcing_csrf"
TOKEN_COOKIE = "sourcing_token"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"

# No inline scripts or styles at all: profile text is attacker-controlled.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _same(a: Optional[str], b: Optional[str]) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class SafetyMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, token: Optional[str] = None):
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next) -> Response:
        if self.token:
            given = request.query_params.get("token")
            if _same(given, self.token):
                # trade the token in the URL for a cookie, so it does not linger in history
                url = request.url.remove_query_params("token")
                resp = RedirectResponse(str(url), status_code=303)
                resp.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                return resp
            bearer = request.headers.get("authorization", "")
            bearer = bearer[7:] if bearer.lower().startswith("bearer ") else None
            if not (_same(request.cookies.get(TOKEN_COOKIE), self.token) or _same(bearer, self.token)):
                return PlainTextResponse("401: a token is required (open the link with ?token=...)", status_code=401)
        csrf = request.cookies.get(CSRF_COOKIE)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get(CSRF_HEADER)
            if sent is None and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                # read the raw body (Starlette replays it to the handler); parsing the form here
                # would consume the stream
                fields = parse_qs((await request.body()).decode("utf-8", "replace"))
                sent = (fields.get(CSRF_FIELD) or [None])[0]
            if not _same(sent, csrf):
                return PlainTextResponse("403: missing or wrong CSRF token; reload the page", status_code=403)
        new_csrf = None
        if not csrf:
            csrf = new_csrf = secrets.token_urlsafe(32)
        request.state.csrf = csrf
        response = await call_next(request)
        if new_csrf:
            response.set_cookie(CSRF_COOKIE, new_csrf, httponly=True, samesite="strict")
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response
