"""The HTTP layer under PyGithub: token pool, rate-limit budget, retries, conditional requests, counts.

PyGithub's Requester sends every request through a connection object; we give it one that calls
`Transport.send`, so each request PyGithub makes (pages, object completion, 301 hops) is counted,
checked against the budget and authenticated with the pool's current token. PyGithub itself never
sees a token, so it cannot log one. Conditional requests are armed for the next request only:
a `304` raises `NotModified` out of PyGithub to the collector, which then skips the listing.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional
from urllib.parse import urljoin, urlsplit

import requests

log = logging.getLogger(__name__)

RETRY_STATUSES = (500, 502, 503, 504)
SECONDARY_CAP_SECONDS = 120.0  # longest Retry-After we sleep through before giving up on a request


class NotModified(Exception):
    """A conditional request answered 304: what the stored ETag covers did not change."""

    def __init__(self, url: str, etag: Optional[str] = None):
        super().__init__(url)
        self.url = url
        self.etag = etag


class BudgetExhausted(Exception):
    """No token may spend another request within the configured share (policy "stop")."""

    def __init__(self, reset_at: Optional[float]):
        when = time.strftime("%H:%M:%S UTC", time.gmtime(reset_at)) if reset_at else "an unknown time"
        super().__init__(f"rate-limit budget spent; progress is saved, the limit resets at {when}")
        self.reset_at = reset_at


class TokenError(Exception):
    """Every configured token was refused (401); the message names the variable, never the value."""


@dataclass
class TokenState:
    name: str  # where it came from ("$GITHUB_TOKEN"), or "unauthenticated"
    token: Optional[str] = field(default=None, repr=False)
    limit: Optional[int] = None
    remaining: Optional[int] = None
    reset: Optional[float] = None
    spent: int = 0  # requests this run that counted against the limit
    bad: bool = False

    def floor(self, share: float) -> int:
        """Requests left untouched for everyone else: the share we may not spend."""
        return math.ceil((self.limit or 0) * (1.0 - share) - 1e-9)

    def usable(self, share: float, now: float) -> bool:
        if self.bad:
            return False
        if self.reset is not None and now >= self.reset:
            self.remaining = None  # a new window: learn it from the next answer
            self.reset = None
        if self.remaining is None:
            return True
        return self.remaining > (self.floor(share) if self.limit else 0)


@dataclass
class Counts:
    requests: int = 0  # HTTP exchanges sent (every retry and redirect hop included)
    counted: int = 0  # of them, answers that count against the rate limit (not 304)
    not_modified: int = 0
    retries: int = 0
    waits: float = 0.0  # seconds slept for limits and backoff


class Transport:
    """One requests.Session shared by every PyGithub connection of a crawl."""

    def __init__(
        self,
        tokens: list[tuple[str, str]],
        *,
        share: float = 0.8,
        on_exhausted: str = "stop",
        max_retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Optional[Callable[[float, str], None]] = None,
        timeout: float = 30.0,
    ):
        self.pool = [TokenState(name=f"${n}", token=t) for n, t in tokens] or [TokenState(name="unauthenticated")]
        self.unauthenticated = not tokens
        self.current = 0
        self.share = share
        self.on_exhausted = on_exhausted
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.on_wait = on_wait
        self.timeout = timeout
        self.counts = Counts()
        self.session = requests.Session()
        self.session.trust_env = False  # no .netrc credentials, no proxies picked up behind our back
        self._armed: Optional[dict[str, str]] = None
        self.captured: tuple[Optional[str], Optional[str]] = (None, None)
        self.notices: list[str] = []  # things the run should show (a refused token ...)
        self._lock = threading.Lock()

    # --- conditional requests ------------------------------------------------------------

    def arm(self, etag: Optional[str] = None, last_modified: Optional[str] = None) -> None:
        """The next request is a first page or an object we keep validators for: send it
        conditionally when we have them (the condition survives retries and redirect hops) and
        remember its answer's ETag/Last-Modified in `captured`."""
        h = {}
        if etag:
            h["If-None-Match"] = etag
        if last_modified:
            h["If-Modified-Since"] = last_modified
        self._armed = h
        self.captured = (None, None)

    def disarm(self) -> None:
        self._armed = None

    # --- budget ----------------------------------------------------------------------------

    def budget_left(self) -> Optional[int]:
        """Requests the pool may still spend within the share (None: not known yet)."""
        total, known = 0, False
        now = time.time()
        for t in self.pool:
            if t.bad:
                continue
            t.usable(self.share, now)
            if t.remaining is not None and t.limit is not None:
                known = True
                total += max(0, t.remaining - t.floor(self.share))
        return total if known else None

    def rate(self) -> dict:
        t = self.pool[self.current]
        return {"token": t.name, "limit": t.limit, "remaining": t.remaining, "reset": t.reset}

    def _token(self) -> TokenState:
        """The token to use now: the current one while it has budget, else the next that has."""
        while True:
            now = time.time()
            n = len(self.pool)
            for i in range(n):
                t = self.pool[(self.current + i) % n]
                if t.usable(self.share, now):
                    if i:
                        log.info("switching GitHub token to %s", t.name)
                    self.current = (self.current + i) % n
                    return t
            if all(t.bad for t in self.pool):
                raise TokenError(self.notices[-1] if self.notices else "no usable GitHub token")
            resets = [t.reset for t in self.pool if not t.bad and t.reset]
            reset_at = min(resets) if resets else None
            if self.on_exhausted != "wait":
                raise BudgetExhausted(reset_at)
            until = reset_at or now + 60
            self._wait(until - now + 1, "rate-limit budget spent")
            for t in self.pool:
                if t.reset is None or t.reset <= until:
                    t.remaining, t.reset = None, None  # a new window: learn it from the next answer

    def _wait(self, seconds: float, why: str) -> None:
        """Sleep with a visible countdown (one tick a second when someone is watching)."""
        seconds = max(0.0, seconds)
        self.counts.waits += seconds
        log.warning("GitHub: %s; waiting %.0f s", why, seconds)
        if self.on_wait is None:
            self.sleep(seconds)
            return
        left = seconds
        while left > 0:
            self.on_wait(left, why)
            step = min(1.0, left)
            self.sleep(step)
            left -= step
        self.on_wait(0, why)

    @staticmethod
    def _rate_headers(t: TokenState, headers) -> None:
        try:
            if "X-RateLimit-Limit" in headers:
                t.limit = int(float(headers["X-RateLimit-Limit"]))
            if "X-RateLimit-Remaining" in headers:
                t.remaining = int(float(headers["X-RateLimit-Remaining"]))
                # a reset time belongs to the answer that carries it; never keep a stale one
                t.reset = float(headers["X-RateLimit-Reset"]) if "X-RateLimit-Reset" in headers else None
            elif "X-RateLimit-Reset" in headers:
                t.reset = float(headers["X-RateLimit-Reset"])
        except ValueError:
            pass  # a garbled header must not stop the crawl; the next answer corrects it

    # --- sending ---------------------------------------------------------------------------

    def send(self, method: str, url: str, headers: dict, data=None, timeout=None) -> requests.Response:
        armed, self._armed = self._armed, None
        attempt = hops = 0
        while True:
            with self._lock:
                tok = self._token()
            h = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}
            if tok.token:
                h["Authorization"] = f"Bearer {tok.token}"
            if armed:
                h.update(armed)
            try:
                r = self.session.request(
                    method, url, headers=h, data=data, timeout=timeout or self.timeout, allow_redirects=False
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                self.counts.requests += 1
                if attempt >= self.max_retries:
                    raise
                attempt += 1
                self.counts.retries += 1
                self._wait(self.backoff * 2 ** (attempt - 1), f"connection failed ({type(exc).__name__})")
                continue
            self.counts.requests += 1
            self._rate_headers(tok, r.headers)
            if r.status_code == 304:
                self.counts.not_modified += 1
                if armed is not None:
                    raise NotModified(url, r.headers.get("ETag"))
                return r
            self.counts.counted += 1
            tok.spent += 1
            status = r.status_code
            if status in (301, 302, 307, 308) and method == "GET" and r.headers.get("Location") and hops < 5:
                # follow here, query string and all: PyGithub's own 301 handling keeps only the
                # path, so a moved repo's `pulls?state=all&sort=updated` would silently become
                # `pulls` (open ones, by creation) and a cursor would skip what it never saw
                hops += 1
                query = urlsplit(url).query
                url = urljoin(url, r.headers["Location"])
                if query and not urlsplit(url).query:
                    url = f"{url}?{query}"  # a Location without the query still means the same listing
                continue
            if status in RETRY_STATUSES and attempt < self.max_retries:
                attempt += 1
                self.counts.retries += 1
                self._wait(self.backoff * 2 ** (attempt - 1), f"server error {status}")
                continue
            if status in (403, 429):
                message = _message(r)
                retry_after = r.headers.get("Retry-After")
                secondary = "secondary rate limit" in message or (retry_after is not None and tok.remaining != 0)
                if secondary and attempt < self.max_retries:
                    attempt += 1
                    self.counts.retries += 1
                    try:
                        wait = float(retry_after) if retry_after is not None else 60.0
                    except ValueError:
                        wait = 60.0
                    self._wait(min(wait, SECONDARY_CAP_SECONDS), "secondary rate limit")
                    continue
                if tok.remaining == 0 or "rate limit" in message:
                    # primary limit: this token is dry; the pool picks another or applies the policy
                    tok.remaining = 0
                    if tok.reset is None:
                        tok.reset = time.time() + 60
                    attempt += 1
                    if attempt <= self.max_retries + len(self.pool):
                        continue
            if status == 401 and tok.token:
                tok.bad = True
                note = f"GitHub refused the token in {tok.name} (401 {_message(r) or 'bad credentials'})"
                if note not in self.notices:
                    self.notices.append(note)
                log.error(note)
                continue  # the next token, or TokenError from _token
            if armed is not None and status < 300:
                self.captured = (r.headers.get("ETag"), r.headers.get("Last-Modified"))
            return r


def _message(r: requests.Response) -> str:
    try:
        return str((r.json() or {}).get("message", "")).lower()
    except (ValueError, AttributeError):
        return ""


def connection_classes(transport: Transport):
    """PyGithub connection classes that send through `transport` (same shape as PyGithub's own)."""
    from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, RequestsResponse

    class _Via:
        protocol = "https"

        def __init__(self, host, port=None, strict=False, timeout=None, retry=None, pool_size=None, **kwargs):
            self.host, self.port, self.timeout = host, port, timeout

        def request(self, verb, url, input, headers, stream=False):
            self.verb, self.url, self.input, self.headers = verb, url, input, headers

        def getresponse(self):
            port = f":{self.port}" if self.port else ""
            r = transport.send(self.verb, f"{self.protocol}://{self.host}{port}{self.url}", self.headers, self.input)
            return RequestsResponse(r)

        def close(self):
            pass

    class Http(_Via, HTTPRequestsConnectionClass):
        protocol = "http"

    class Https(_Via, HTTPSRequestsConnectionClass):
        protocol = "https"

    return Http, Https


_inject_lock = threading.Lock()


def make_github(transport: Transport, base_url: str, *, per_page: int = 100):
    """Two PyGithub clients (eager, lazy) whose requests all go through `transport`.

    PyGithub picks its connection class when a Requester is built, so the injection is undone
    right after: other PyGithub clients in the process are not affected. Never call
    `withLazy()` on these clients: it builds a fresh Requester that would bypass the transport.
    """
    from github import Consts, Github
    from github.Requester import Requester

    http, https = connection_classes(transport)
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    local = host in ("127.0.0.1", "localhost", "::1")
    kwargs = dict(
        base_url=base_url.rstrip("/"),
        per_page=per_page,
        retry=None,  # the transport retries (it must see every attempt to count it)
        # GitHub asks for one request at a time and a pause between them; a local world does not
        seconds_between_requests=0 if local else Consts.DEFAULT_SECONDS_BETWEEN_REQUESTS,
        user_agent="sourcing-collector",
    )
    with _inject_lock:
        Requester.injectConnectionClasses(http, https)
        try:
            return Github(**kwargs, lazy=False), Github(**kwargs, lazy=True)
        finally:
            Requester.resetConnectionClasses()


def parse_json(text: str):
    """Parse a body, raising ValueError with a short message on a truncated or garbled one."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"malformed JSON ({exc.msg} at char {exc.pos})") from None
