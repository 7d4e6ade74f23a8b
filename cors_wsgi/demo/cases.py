"""The demo's battery of cross-origin requests, and what each should give.

Each :class:`Case` is one row of the demo page's table: a ``fetch()`` call the
page makes to the API origin, from the page's own origin, from a second page
origin the default policy does not list, or from a sandboxed iframe (whose
origin is ``null``). What the policy *should* give is worked out by
:func:`cors_wsgi.diagnose.explain.explain`, which plays the browser's part
against the middleware in process; the page then compares it with what the
real browser did.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

from .._core.options import BY_NAME
from ..diagnose.browser import exposed_header_names
from ..diagnose.explain import Request, explain

__all__ = ["CASES", "Case", "Expected", "expected", "fetch_code"]

#: Where a case's script runs: the page's origin, the other page origin, or a
#: sandboxed iframe (origin ``null``).
FROM_PAGE, FROM_OTHER, FROM_NULL = "page", "other", "null"

#: Chromium caches a preflight for 5 seconds when the answer has no
#: Access-Control-Max-Age (https://fetch.spec.whatwg.org/#http-access-control-max-age
#: leaves the default to the browser).
BROWSER_DEFAULT_MAX_AGE = 5


class Case(NamedTuple):
    """One cross-origin request of the demo."""

    #: The row's id, also the last segment of its URL path on the API.
    id: str
    title: str
    #: What the row shows off, in a sentence.
    about: str
    method: str = "GET"
    headers: Tuple[Tuple[str, str], ...] = ()
    #: A JSON body, sent as ``JSON.stringify(json_body)``.
    json_body: Optional[Dict[str, Any]] = None
    #: ``credentials: "include"``; the page first asks the API for a cookie.
    credentials: bool = False
    #: A response header the script tries to read.
    read_header: Optional[str] = None
    #: How many times the same fetch runs, one after the other.
    repeat: int = 1
    origin: str = FROM_PAGE

    def as_json(self) -> Dict[str, Any]:
        """The case as the page's script runs it."""
        return {
            "id": self.id,
            "title": self.title,
            "about": self.about,
            "method": self.method,
            "headers": dict(self.headers),
            "body": None if self.json_body is None else json.dumps(self.json_body),
            "credentials": self.credentials,
            "read_header": self.read_header,
            "repeat": self.repeat,
            "origin": self.origin,
            "code": fetch_code(self),
        }


CASES: Tuple[Case, ...] = (
    Case(
        "simple-get",
        "Simple GET",
        "A CORS-safelisted request: no preflight, the answer carries "
        "Access-Control-Allow-Origin.",
    ),
    Case(
        "json-post",
        "JSON POST",
        "Content-Type: application/json is not a safelisted value, so the "
        "browser sends a preflight first.",
        method="POST",
        headers=(("Content-Type", "application/json"),),
        json_body={"hello": "api"},
    ),
    Case(
        "put-custom-header",
        "Preflighted PUT with a custom header",
        "PUT and X-Demo-Token both need the preflight's permission.",
        method="PUT",
        headers=(("X-Demo-Token", "42"),),
    ),
    Case(
        "credentials",
        "Credentialed request with a cookie",
        "The API sets a cookie, then a second credentialed fetch sends it "
        "back; both need Access-Control-Allow-Credentials: true and the "
        "origin echoed.",
        credentials=True,
    ),
    Case(
        "exposed-header",
        "Exposed response header read by script",
        "Script sees X-Request-Id only when Access-Control-Expose-Headers names it.",
        read_header="X-Request-Id",
    ),
    Case(
        "refused-origin",
        "Refused origin",
        "The same GET from a second page origin, which the policy does not list.",
        origin=FROM_OTHER,
    ),
    Case(
        "refused-header",
        "Refused header",
        "X-Not-Allowed is not in allow_headers: the preflight fails and the "
        "PUT is never sent.",
        method="PUT",
        headers=(("X-Not-Allowed", "1"),),
    ),
    Case(
        "refused-method",
        "Refused method",
        "DELETE is not in allow_methods: the preflight fails and the DELETE "
        "is never sent.",
        method="DELETE",
    ),
    Case(
        "error-500",
        "A 500 error read cross-origin",
        "The middleware adds its headers to error answers too, so script can "
        "read the error body.",
    ),
    Case(
        "repeat-preflight",
        "Repeated preflight within Max-Age",
        "The same preflighted PUT twice: the browser reuses the first "
        "preflight's answer for Access-Control-Max-Age seconds.",
        method="PUT",
        headers=(("X-Demo-Token", "42"),),
        repeat=2,
    ),
    Case(
        "null-origin",
        "Sandboxed iframe (Origin: null)",
        "A sandboxed document's origin is opaque and serialises as null, "
        'which only an explicit "null" entry allows.',
        origin=FROM_NULL,
    ),
)


def fetch_code(case: Case) -> str:
    """The case's request as the JavaScript a page would write."""
    init: List[str] = []
    if case.method != "GET":
        init.append(f"method: {json.dumps(case.method)}")
    if case.headers:
        pairs = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in case.headers)
        init.append(f"headers: {{{pairs}}}")
    if case.json_body is not None:
        init.append(f"body: JSON.stringify({json.dumps(case.json_body)})")
    if case.credentials:
        init.append('credentials: "include"')
    call = f"fetch(API + {json.dumps('/' + case.id)}"
    call += f", {{{', '.join(init)}}})" if init else ")"
    lines = []
    if case.credentials:
        lines.append(
            f"await fetch(API + {json.dumps('/' + case.id + '/login')}, "
            '{method: "POST", credentials: "include"})'
        )
    for _ in range(case.repeat):
        lines.append(f"await {call}")
    if case.read_header:
        lines.append(f"response.headers.get({json.dumps(case.read_header)})")
    return "\n".join(lines)


class Expected(NamedTuple):
    """What the policy should give a case, in the page's own terms."""

    #: "allowed" (script reads the answer) or "blocked" (fetch() rejects).
    outcome: str
    #: What script saw beyond that ("X-Request-Id readable", "cookie sent"), or "".
    detail: str
    #: How many OPTIONS preflights the API receives.
    preflights: int
    #: The explanation's steps, for the row's details.
    steps: List[str]

    def as_json(self) -> Dict[str, Any]:
        return self._asdict()


def expected(
    case: Case, options: Mapping[str, Any], origins: Mapping[str, str]
) -> Expected:
    """What *case* should give under the policy *options*.

    *origins* maps :data:`FROM_PAGE` and :data:`FROM_OTHER` to the demo's two
    page origins.
    """
    origin = "null" if case.origin == FROM_NULL else origins[case.origin]
    result = explain(
        options,
        Request(
            origin=origin,
            method=case.method,
            headers=case.headers,
            credentials=case.credentials,
        ),
    )
    preflights = [x for x in result.exchanges if x["kind"] == "preflight"]
    count = len(preflights)
    if preflights and preflights[0]["browser"] == "passes" and case.repeat > 1:
        max_age = options.get("max_age", BY_NAME["max_age"].default)
        if max_age is None:
            max_age = BROWSER_DEFAULT_MAX_AGE
        # A fresh answer serves every repeat; Max-Age 0 sends a preflight each time.
        count = 1 if max_age > 0 else case.repeat
    outcome = "allowed" if result.allowed else "blocked"
    detail = ""
    if result.allowed and case.read_header:
        # The API's answer carries the header; explain's stand-in app does not.
        headers = [(name, value) for name, value in result.exchanges[-1]["headers"]]
        headers.append((case.read_header, "1"))
        exposed = exposed_header_names(headers, case.credentials)
        readable = case.read_header.lower() in exposed
        detail = f"{case.read_header} {'readable' if readable else 'hidden'}"
    if result.allowed and case.credentials:
        detail = "cookie sent"
    return Expected(outcome, detail, count, result.steps)
