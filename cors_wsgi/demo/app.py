"""The demo's three origins, as WSGI applications.

- The **page** origin serves the demo page, its policy (which the page may
  edit) and what the API saw of each case.
- The **API** origin is a small application wrapped in
  :class:`~cors_wsgi.CORSMiddleware`. Around the middleware, a recorder keeps
  every exchange of each case (request and response headers, so OPTIONS
  preflights are counted even though the middleware answers them itself),
  and a handler on the decision log keeps the middleware's decisions.
- The **other** origin serves the frame that sends the "refused origin" case
  from an origin the default policy does not list.

Each run of the page uses its own URL prefix on the API
(``/api/RUN/CASE``), so the browser's preflight and HTTP caches never carry
one run's answers over to the next. The demo keeps the last
:data:`MAX_RUNS` runs.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from http.cookies import SimpleCookie
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
)
from urllib.parse import parse_qs

from .. import ConfigurationError, CORSMiddleware
from .._core.log import REASONS, Decision
from .._core.options import BY_NAME, parse_options
from .cases import CASES, FROM_OTHER, FROM_PAGE, Expected, expected

__all__ = ["Demo", "POLICY_FIELDS", "default_policy", "python_code"]

StartResponse = Callable[..., Any]
Environ = Dict[str, Any]
Headers = List[Tuple[str, str]]

STATIC = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
_STATIC_FILES = frozenset(path.name for path in STATIC.iterdir())

#: The options the page lets the user edit, in the order it shows them.
POLICY_FIELDS: Tuple[str, ...] = (
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "expose_headers",
    "allow_credentials",
    "max_age",
)

#: Runs remembered, and exchanges remembered per case of a run.
MAX_RUNS = 16
MAX_EXCHANGES = 16
# The largest policy the page may post.
_MAX_BODY = 64 * 1024

_RUN = re.compile(r"[A-Za-z0-9-]{1,40}")
_CASE_IDS = frozenset(case.id for case in CASES)
_COOKIE = "cors_demo"
# Request headers that say nothing about CORS, left out of the page's details.
_NOISE = frozenset(
    {
        "accept-encoding",
        "accept-language",
        "connection",
        "host",
        "user-agent",
        "pragma",
        "cache-control",
    }
)


def default_policy(page_origin: str) -> Dict[str, str]:
    """The demo's starting policy, in the string forms the page edits."""
    return {
        "allow_origins": page_origin,
        "allow_methods": "GET HEAD POST PUT",
        "allow_headers": "X-Demo-Token",
        "expose_headers": "X-Request-Id",
        "allow_credentials": "true",
        "max_age": "600",
    }


def python_code(options: Mapping[str, Any]) -> str:
    """The middleware of the parsed *options*, as Python code."""
    lines = ["application = CORSMiddleware(", "    application,"]
    for name, value in options.items():
        shown = list(value) if isinstance(value, tuple) else value
        lines.append(f"    {name}={shown!r},")
    return "\n".join([*lines, ")"])


class _CaseLog(NamedTuple):
    exchanges: List[Dict[str, Any]]
    decisions: List[Dict[str, Any]]


def _case_key(path: str) -> Optional[Tuple[str, str]]:
    """``/api/RUN/CASE[/...]`` → (RUN, CASE), or None for any other path."""
    parts = path.split("/")
    if len(parts) < 4 or parts[0] or parts[1] != "api":
        return None
    run, case = parts[2], parts[3]
    if not _RUN.fullmatch(run) or case not in _CASE_IDS:
        return None
    return run, case


def _json(
    start_response: StartResponse,
    payload: Any,
    status: str = "200 OK",
    extra: Iterable[Tuple[str, str]] = (),
) -> List[bytes]:
    body = json.dumps(payload).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *extra,
    ]
    start_response(status, headers)
    return [body]


def _text(start_response: StartResponse, status: str, text: str) -> List[bytes]:
    body = text.encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


def _static(start_response: StartResponse, name: str) -> List[bytes]:
    if name not in _STATIC_FILES:
        return _text(start_response, "404 Not Found", f"no such file: {name}\n")
    body = (STATIC / name).read_bytes()
    start_response(
        "200 OK",
        [
            ("Content-Type", _STATIC_TYPES[Path(name).suffix]),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


def _request_headers(environ: Mapping[str, Any]) -> Headers:
    headers: Headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key.replace("_", "-").title()
        else:
            continue
        if name.lower() not in _NOISE and not name.lower().startswith("sec-"):
            headers.append((name, str(value)))
    return sorted(headers)


class Demo:
    """The page, API and other origins of one demo, and what the API saw.

    *page_origin*, *api_origin* and *other_origin* are the serialised origins
    the three servers listen on (``http://127.0.0.1:PORT``).
    """

    def __init__(self, page_origin: str, api_origin: str, other_origin: str) -> None:
        self.page_origin = page_origin
        self.api_origin = api_origin
        self.other_origin = other_origin
        self._origins = {FROM_PAGE: page_origin, FROM_OTHER: other_origin}
        self._lock = threading.Lock()
        self._runs: OrderedDict[str, Dict[str, _CaseLog]] = OrderedDict()
        self._request_ids = 0
        self._policy: Dict[str, str] = {}
        self._python = ""
        self._expected: List[Expected] = []
        self._middleware = CORSMiddleware(self._endpoints)
        self.defaults = default_policy(page_origin)
        self.set_policy(self.defaults)

    # The policy -----------------------------------------------------------

    @property
    def policy(self) -> Dict[str, str]:
        """The policy now in force, in the string forms the page edits."""
        return dict(self._policy)

    def set_policy(self, text: Mapping[str, str]) -> None:
        """Put the policy *text* (option name → string form) in force.

        Raises ConfigurationError, with every problem, and keeps the old
        policy, when it does not parse or build.
        """
        errors = [
            f"{name}: the demo's page edits only {', '.join(POLICY_FIELDS)}"
            for name in sorted(set(text) - set(POLICY_FIELDS))
        ]
        policy = {name: str(text.get(name, "")) for name in POLICY_FIELDS}
        options, problems = parse_options(policy)
        errors.extend(problems)
        try:
            middleware = CORSMiddleware(self._endpoints, **options)
        except ConfigurationError as exc:
            errors.extend(str(exc).splitlines())
        if errors:
            raise ConfigurationError("\n".join(errors))
        answers = [expected(case, options, self._origins) for case in CASES]
        with self._lock:
            self._policy = policy
            self._python = python_code(options)
            self._middleware = middleware
            self._expected = answers

    def state(self) -> Dict[str, Any]:
        """What the page needs to run its cases under the current policy."""
        with self._lock:
            policy, python = dict(self._policy), self._python
            answers = list(self._expected)
        return {
            "origins": {
                "page": self.page_origin,
                "api": self.api_origin,
                "other": self.other_origin,
            },
            "policy": policy,
            "defaults": self.defaults,
            "python": python,
            "fields": [
                {"name": name, "kind": BY_NAME[name].kind, "doc": BY_NAME[name].doc}
                for name in POLICY_FIELDS
            ],
            "cases": [
                {**case.as_json(), "expected": answer.as_json()}
                for case, answer in zip(CASES, answers)
            ],
        }

    # What the API saw -----------------------------------------------------

    def _case_log(self, run: str, case: str) -> _CaseLog:
        # Called with the lock held.
        cases = self._runs.get(run)
        if cases is None:
            cases = self._runs[run] = {}
            while len(self._runs) > MAX_RUNS:
                self._runs.popitem(last=False)
        log = cases.get(case)
        if log is None:
            log = cases[case] = _CaseLog([], [])
        return log

    def record_decision(self, decision: Decision) -> None:
        """Keep *decision* if it was taken on a case's path."""
        key = _case_key(decision.path)
        if key is None:
            return
        entry = {
            "kind": decision.kind,
            "method": decision.method,
            "allowed": decision.allowed,
            "reason": REASONS.get(decision.reason, ""),
            "cached": decision.cached,
        }
        with self._lock:
            decisions = self._case_log(*key).decisions
            if len(decisions) < MAX_EXCHANGES:
                decisions.append(entry)

    def results(self, run: str) -> Dict[str, Any]:
        """What the API saw of each case of *run*: exchanges, preflights and
        the middleware's decisions."""
        with self._lock:
            cases = dict(self._runs.get(run, {}))
            return {
                case: {
                    "exchanges": list(log.exchanges),
                    "decisions": list(log.decisions),
                    "preflights": sum(
                        1
                        for exchange in log.exchanges
                        if exchange["method"] == "OPTIONS"
                        and any(
                            name == "Access-Control-Request-Method"
                            for name, _ in exchange["request"]
                        )
                    ),
                }
                for case, log in cases.items()
            }

    # The three origins ----------------------------------------------------

    def api(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The API origin: the recorder around the middleware."""
        middleware = self._middleware
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        key = _case_key(path)
        if key is None:
            return middleware(environ, start_response)
        exchange: Dict[str, Any] = {
            "method": environ.get("REQUEST_METHOD", ""),
            "path": path,
            "request": _request_headers(environ),
            "status": "",
            "response": [],
        }

        def recording_start_response(
            status: str, headers: Headers, exc_info: Any = None
        ) -> Any:
            exchange["status"] = status
            exchange["response"] = list(headers)
            return start_response(status, headers, exc_info)

        body = middleware(environ, recording_start_response)
        with self._lock:
            exchanges = self._case_log(*key).exchanges
            if len(exchanges) < MAX_EXCHANGES:
                exchanges.append(exchange)
        return body

    def _endpoints(
        self, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        """The application behind the middleware: one answer per case."""
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        key = _case_key(path)
        if key is None:
            return _text(
                start_response,
                "404 Not Found",
                "This is the demo's API; its page is at "
                f"{self.page_origin}/ (paths here are /api/RUN/CASE).\n",
            )
        run, case = key
        if case == "error-500":
            return _text(
                start_response,
                "500 Internal Server Error",
                "the application failed on purpose; this body is readable "
                "cross-origin because the answer carries CORS headers\n",
            )
        if case == "credentials" and path.endswith("/login"):
            return _json(
                start_response,
                {"logged_in": True},
                extra=[("Set-Cookie", f"{_COOKIE}={run}; Path=/; SameSite=Lax")],
            )
        payload: Dict[str, Any] = {"case": case, "method": method}
        extra: Headers = []
        if case == "credentials":
            payload["cookie"] = _cookie(environ) == run
        if case == "exposed-header":
            with self._lock:
                self._request_ids += 1
                extra.append(("X-Request-Id", f"demo-{self._request_ids}"))
        return _json(start_response, payload, extra=extra)

    def page(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The page origin: the page, its policy and the results."""
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        if path == "/":
            return _static(start_response, "index.html")
        if path.startswith("/static/"):
            return _static(start_response, path[len("/static/") :])
        if path == "/favicon.ico":
            start_response("204 No Content", [])
            return []
        if path == "/state":
            return _json(start_response, self.state())
        if path == "/results":
            run = parse_qs(environ.get("QUERY_STRING", "")).get("run", [""])[0]
            return _json(start_response, self.results(run))
        if path == "/policy" and method == "POST":
            return self._post_policy(environ, start_response)
        return _text(start_response, "404 Not Found", f"no such page: {path}\n")

    def other(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The other page origin: the frame that sends a case from there."""
        path = environ.get("PATH_INFO", "")
        if path == "/":
            return _static(start_response, "frame.html")
        if path.startswith("/static/"):
            return _static(start_response, path[len("/static/") :])
        return _text(start_response, "404 Not Found", f"no such page: {path}\n")

    def _post_policy(
        self, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        # A JSON body cannot come from another site's form without a
        # preflight, which this origin never allows.
        if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
            return _json(
                start_response,
                {
                    "errors": [
                        "send the policy as JSON (Content-Type: application/json)"
                    ]
                },
                "415 Unsupported Media Type",
            )
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            return _json(
                start_response,
                {"errors": [f"the policy must be at most {_MAX_BODY} bytes of JSON"]},
                "413 Content Too Large",
            )
        try:
            text = json.loads(environ["wsgi.input"].read(length) or b"null")
        except ValueError:
            text = None
        if not isinstance(text, dict) or not all(
            isinstance(value, str) for value in text.values()
        ):
            return _json(
                start_response,
                {"errors": ["the policy must be a JSON object of strings"]},
                "400 Bad Request",
            )
        try:
            self.set_policy(text)
        except ConfigurationError as exc:
            return _json(
                start_response, {"errors": str(exc).splitlines()}, "400 Bad Request"
            )
        return _json(start_response, self.state())


def _cookie(environ: Mapping[str, Any]) -> Optional[str]:
    # SimpleCookie skips what does not parse.
    cookies = SimpleCookie()
    cookies.load(environ.get("HTTP_COOKIE", ""))
    morsel = cookies.get(_COOKIE)
    return None if morsel is None else morsel.value


class DecisionCollector(logging.Handler):
    """Hands each decision of the ``cors_wsgi`` log to a :class:`Demo`."""

    def __init__(self, demo: Demo) -> None:
        super().__init__(logging.DEBUG)
        self.demo = demo

    def emit(self, record: logging.LogRecord) -> None:
        decision = getattr(record, "cors_decision", None)
        if isinstance(decision, Decision):
            self.demo.record_decision(decision)
