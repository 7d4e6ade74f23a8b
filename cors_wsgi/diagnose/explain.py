"""Why a browser allows or blocks one cross-origin request, step by step.

:func:`explain` plays the browser's part of the exchange against the real
middleware, in process: it decides with the Fetch Standard's safelists
whether a preflight is sent, sends that preflight and then the actual request
through a :class:`~cors_wsgi.CORSMiddleware` built from the policy, reads the
middleware's own decision from its decision log, and runs the browser's
checks on the answers. Nothing here repeats the middleware's rules; when
something is refused, it proposes the smallest change to the policy that
allows it, or says why it must not be allowed.
"""

from __future__ import annotations

import difflib
import logging
import threading
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple

from .. import ConfigurationError, CORSMiddleware
from .._core.log import Decision
from .._core.options import BY_NAME, env_name, flag_name
from .._core.origins import NULL_ORIGIN, parse_configured_origin
from ..fetch import (
    CORS_SAFELISTED_REQUEST_HEADER_NAMES,
    cors_unsafe_request_header_names,
    is_cors_safelisted_method,
    is_cors_safelisted_request_header,
    normalize_method,
)
from .browser import cors_check, preflight_check

__all__ = ["Explanation", "Request", "explain"]

# A value assumed for a CORS-safelisted header given without one: what
# fetch() sends for a string body.
_ASSUMED_VALUES = {"content-type": "text/plain;charset=UTF-8"}


class Request(NamedTuple):
    """The cross-origin request a page's script makes."""

    origin: str
    #: The method as the script writes it (fetch() upper-cases only six).
    method: str = "GET"
    #: (name, value) pairs; a value of None means "any ordinary value".
    headers: Tuple[Tuple[str, Optional[str]], ...] = ()
    path: str = "/"
    #: Whether the script asks for credentials (``credentials: "include"``).
    credentials: bool = False


class Fix(NamedTuple):
    """One change to the policy, in each form the policy can be written."""

    why: str
    flag: str
    python: str
    ini: str
    #: The option and its new value, as a Python keyword takes it.
    option: str
    value: Any


class Explanation(NamedTuple):
    """Everything :func:`explain` found, in the order a browser goes."""

    #: Whether JavaScript may read the response in the end.
    allowed: bool
    #: One line per step, for people.
    steps: List[str]
    #: Policy changes that would allow the request.
    fixes: List[Fix]
    #: Near misses a person would not see (case, trailing slash, port...).
    notes: List[str]
    #: The policy could not be built: its ConfigurationError lines.
    policy_errors: List[str]
    #: The exchanges as sent and answered, for --json and for tests.
    exchanges: List[Dict[str, Any]]

    def as_json(self) -> Dict[str, Any]:
        return {
            "allowed": self.allowed,
            "steps": self.steps,
            "fixes": [fix._asdict() for fix in self.fixes],
            "notes": self.notes,
            "policy_errors": self.policy_errors,
            "exchanges": self.exchanges,
        }


class _DecisionLog(logging.Handler):
    """Collects the middleware's decisions while one exchange runs.

    Only those made in the thread that created it: a process may serve other
    requests meanwhile, and their decisions are not this exchange's.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.decisions: List[Decision] = []
        self._thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        decision = getattr(record, "cors_decision", None)
        if isinstance(decision, Decision) and threading.get_ident() == self._thread:
            self.decisions.append(decision)


# Held while an exchange has the cors_wsgi logger at DEBUG, so that explain
# called from several threads at once always puts the level back as it was.
_logger_lock = threading.Lock()


class _Answer(NamedTuple):
    status: str
    headers: List[Tuple[str, str]]
    app_called: bool
    decision: Optional[Decision]


def _send(middleware_for: Any, environ: Dict[str, Any]) -> _Answer:
    """Send *environ* through the middleware; the app answers 200 text."""
    called: List[bool] = []

    def app(environ: Dict[str, Any], start_response: Any) -> Iterable[bytes]:
        called.append(True)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"the application's answer"]

    started: List[Tuple[str, List[Tuple[str, str]]]] = []

    def start_response(
        status: str, headers: List[Tuple[str, str]], exc_info: Any = None
    ) -> Any:
        started.append((status, list(headers)))
        return lambda data: None

    logger = logging.getLogger("cors_wsgi")
    handler = _DecisionLog()
    with _logger_lock:
        level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            body = middleware_for(app)(environ, start_response)
            for _chunk in body:
                pass
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
    status, headers = started[-1]
    decision = handler.decisions[-1] if handler.decisions else None
    return _Answer(status, headers, bool(called), decision)


def _environ(request: Request, method: str, extra: Mapping[str, str]) -> Dict[str, Any]:
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": request.path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "HTTP_ORIGIN": request.origin,
    }
    environ.update(extra)
    return environ


def _header_environ(headers: Iterable[Tuple[str, str]]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            out[key] = value
        else:
            out["HTTP_" + key] = value
    return out


def _format_headers(headers: Iterable[Tuple[str, str]]) -> str:
    return "; ".join(f"{name}: {value}" for name, value in headers) or "(none)"


def _list_value(values: Iterable[str]) -> str:
    return " ".join(values)


def _fix(why: str, option: str, items: List[str]) -> Fix:
    return Fix(
        why=why,
        flag=" ".join(f"{flag_name(option)} {item}" for item in items),
        python=f"{option}={items!r}",
        ini=f"{option} = {_list_value(items)}",
        option=option,
        value=items,
    )


def _list_option(options: Mapping[str, Any], name: str) -> List[str]:
    value = options.get(name, BY_NAME[name].default)
    if isinstance(value, str):
        return [value]
    if callable(value) or value is None:
        return []
    return [str(item) for item in value]


def _origin_notes(origin: str, options: Mapping[str, Any]) -> List[str]:
    """Near misses between the request's Origin and the configured origins."""
    notes = []
    scheme, _, rest = origin.lower().partition("://")
    host, _, port = rest.partition(":")
    for entry in _list_option(options, "allow_origins"):
        # The policy was built, so every entry parses.
        configured = parse_configured_origin(entry)
        if configured.serialized == NULL_ORIGIN:
            continue
        if configured.wildcard:
            if host == configured.host:
                notes.append(
                    f"{entry!r} matches subdomains of {configured.host!r} only, "
                    f"never {configured.host!r} itself; list "
                    f"'{configured.scheme}://{configured.host}' as well"
                )
            continue
        if configured.host != host:
            continue
        if configured.scheme != scheme:
            notes.append(
                f"{entry!r} has the scheme {configured.scheme!r} but the page is "
                f"served over {scheme!r}: http and https are different origins"
            )
        else:
            # Same scheme and host, yet refused: the ports differ.
            notes.append(
                f"{entry!r} and the Origin {origin!r} differ in their port "
                f"({configured.port or 'default'} and {port or 'default'}): "
                f"ports are part of the origin"
            )
    return notes


def _method_notes(sent: str, options: Mapping[str, Any]) -> List[str]:
    notes = []
    for allowed in _list_option(options, "allow_methods"):
        if allowed != sent and allowed.upper() == sent.upper():
            notes.append(
                f"the browser sends the method {sent!r} exactly as the script "
                f"wrote it (fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, "
                f"POST and PUT), and methods compare case-sensitively, so the "
                f"policy's {allowed!r} does not cover it; write {allowed!r} in the "
                f"script, or allow {sent!r}"
            )
    return notes


def _header_notes(refused: List[str], options: Mapping[str, Any]) -> List[str]:
    allowed = [name.lower() for name in _list_option(options, "allow_headers")]
    notes = []
    for name in refused:
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.75)
        if close:
            notes.append(
                f"the request header {name!r} is not allowed, but {close[0]!r} "
                f"is: a spelling difference?"
            )
    return notes


def explain(options: Mapping[str, Any], request: Request) -> Explanation:
    """What a browser and the middleware do with *request* under *options*.

    *options* are keyword options of :class:`~cors_wsgi.CORSMiddleware`
    (already parsed from their string forms). When the request is refused,
    ``fixes`` holds every change it needs: each fix found is tried on a copy
    of the policy, and the exchange played again, until it passes.
    """
    result = _explain_once(options, request)
    fixes, notes = list(result.fixes), list(result.notes)
    trial = dict(options)
    attempt = result
    # Each round fixes one refusal (origin, method, headers, credentials),
    # until the request passes or no new fix comes up.
    while not attempt.allowed and attempt.fixes:
        for fix in attempt.fixes:
            trial[fix.option] = fix.value
        attempt = _explain_once(trial, request)
        new = [fix for fix in attempt.fixes if fix not in fixes]
        fixes.extend(new)
        notes.extend(note for note in attempt.notes if note not in notes)
        if not new:
            break
    if fixes and not attempt.allowed:
        notes.append(
            "even with the changes below the browser would still refuse the "
            "request: see the notes"
        )
    return result._replace(fixes=_merge_fixes(fixes), notes=notes)


def _merge_fixes(fixes: List[Fix]) -> List[Fix]:
    """One fix per option: the last one holds every item the rounds added."""
    merged: Dict[str, Fix] = {}
    for fix in fixes:
        merged[fix.option] = fix
    return list(merged.values())


def _explain_once(options: Mapping[str, Any], request: Request) -> Explanation:
    steps: List[str] = []
    fixes: List[Fix] = []
    notes: List[str] = []
    exchanges: List[Dict[str, Any]] = []
    options = dict(options)
    try:
        CORSMiddleware(lambda environ, start_response: [], **options)
    except ConfigurationError as exc:
        lines = str(exc).splitlines()
        steps.append("the policy cannot be built, so the server would not start:")
        steps.extend(f"  {line}" for line in lines)
        return Explanation(False, steps, [], [], lines, [])

    def middleware_for(app: Any) -> CORSMiddleware:
        return CORSMiddleware(app, **options)

    # 1. Does the browser ask first? https://fetch.spec.whatwg.org/#main-fetch
    method = normalize_method(request.method)
    if method != request.method:
        steps.append(f"fetch() sends the method {request.method!r} as {method!r}")
    if is_cors_safelisted_method(method):
        steps.append(f"method {method}: CORS-safelisted, needs no preflight")
    else:
        steps.append(f"method {method}: not CORS-safelisted, so a preflight is sent")
    sent_headers: List[Tuple[str, str]] = []
    for name, value in request.headers:
        lower = name.lower()
        if value is None:
            value = _ASSUMED_VALUES.get(lower, "")
        sent_headers.append((name, value))
        if is_cors_safelisted_request_header(name, value):
            steps.append(f"header {name}: {value}: CORS-safelisted, needs no preflight")
        elif lower in CORS_SAFELISTED_REQUEST_HEADER_NAMES:
            steps.append(
                f"header {name}: {value}: this value is not CORS-safelisted, so a "
                f"preflight is sent (e.g. Content-Type: text/plain would not need one)"
            )
        else:
            steps.append(f"header {name}: not CORS-safelisted, so a preflight is sent")
    unsafe = cors_unsafe_request_header_names(sent_headers)
    preflighted = not is_cors_safelisted_method(method) or bool(unsafe)
    if request.credentials:
        steps.append(
            "credentials: included (cookies and HTTP authentication); the answer "
            "must say Access-Control-Allow-Credentials: true and echo the origin"
        )

    allowed = True
    # 2. The preflight. https://fetch.spec.whatwg.org/#cors-preflight-fetch
    if preflighted:
        extra = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
        if unsafe:
            extra["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = ",".join(unsafe)
        environ = _environ(request, "OPTIONS", extra)
        answer = _send(middleware_for, environ)
        sent = [("Origin", request.origin), ("Access-Control-Request-Method", method)]
        if unsafe:
            sent.append(("Access-Control-Request-Headers", ",".join(unsafe)))
        steps.append(
            f"preflight sent: OPTIONS {request.path} with {_format_headers(sent)}"
        )
        steps.append(
            f"cors_wsgi answers {answer.status} with {_format_headers(answer.headers)}"
        )
        if answer.decision is not None and answer.decision.reason:
            steps.append(
                f"cors_wsgi's decision: refused, {answer.decision.reason} not allowed"
            )
        failure = preflight_check(
            int(answer.status.split()[0]),
            answer.headers,
            request.origin,
            method,
            unsafe,
            request.credentials,
        )
        exchanges.append(
            {
                "kind": "preflight",
                "request": [list(item) for item in sent],
                "status": answer.status,
                "headers": [list(item) for item in answer.headers],
                "decision": answer.decision._asdict() if answer.decision else None,
                "browser": failure or "passes",
            }
        )
        if failure:
            allowed = False
            steps.append(
                f"the browser fails the preflight: {failure}; the request is not sent"
            )
            reason = _reason(answer.decision)
            fixes, more = _fixes(reason, request, method, unsafe, options)
            notes.extend(more)
        else:
            steps.append("the browser accepts the preflight and sends the request")

    # 3. The actual request. https://fetch.spec.whatwg.org/#cors-check
    if allowed:
        environ = _environ(request, method, _header_environ(sent_headers))
        answer = _send(middleware_for, environ)
        added = [
            (name, value)
            for name, value in answer.headers
            if name.lower().startswith("access-control-") or name.lower() == "vary"
        ]
        steps.append(
            f"request sent: {method} {request.path}; the application answers "
            f"and cors_wsgi adds {_format_headers(added)}"
        )
        failure = cors_check(answer.headers, request.origin, request.credentials)
        exchanges.append(
            {
                "kind": "actual",
                "request": [
                    ["Origin", request.origin],
                    *[list(h) for h in sent_headers],
                ],
                "status": answer.status,
                "headers": [list(item) for item in answer.headers],
                "decision": answer.decision._asdict() if answer.decision else None,
                "browser": failure or "passes",
            }
        )
        if failure:
            allowed = False
            steps.append(f"the browser blocks the response: {failure}")
            reason = _reason(answer.decision)
            fixes, more = _fixes(reason, request, method, unsafe, options)
            notes.extend(more)
        else:
            steps.append("JavaScript can read the response")
    return Explanation(allowed, steps, fixes, notes, [], exchanges)


def _reason(decision: Optional[Decision]) -> str:
    """Why the browser refused: the middleware's reason, or, when the
    middleware allowed the origin, the credentials it was not told to allow."""
    if decision is None or not decision.allowed:
        return decision.reason if decision is not None else ""
    return "credentials"


def _fixes(
    reason: str,
    request: Request,
    method: str,
    unsafe: List[str],
    options: Mapping[str, Any],
) -> Tuple[List[Fix], List[str]]:
    """The smallest policy changes that allow the request, and near misses."""
    origins = _list_option(options, "allow_origins")
    if reason == "origin":
        notes = _origin_notes(request.origin, options)
        if request.origin == NULL_ORIGIN and options.get("allow_credentials"):
            notes.append(
                "the null origin must not be allowed with credentials: any page "
                "can send Origin: null from a sandboxed iframe, so every site "
                "could read your users' data; serve the page from a real origin"
            )
            return [], notes
        if callable(options.get("allow_origins")):
            notes.append("the allow_origins callable refused this origin")
            return [], notes
        items = [*origins, request.origin]
        return [
            _fix(f"allow the origin {request.origin}", "allow_origins", items)
        ], notes
    if reason == "method":
        methods = _list_option(options, "allow_methods")
        items = [*methods, method]
        return [
            _fix(f"allow the method {method}", "allow_methods", items)
        ], _method_notes(method, options)
    if reason == "headers":
        allowed = {name.lower() for name in _list_option(options, "allow_headers")}
        # The CORS-safelisted names are always allowed, whatever their value.
        allowed |= CORS_SAFELISTED_REQUEST_HEADER_NAMES
        refused = [name for name in unsafe if name not in allowed]
        items = [*_list_option(options, "allow_headers"), *refused]
        return [
            _fix(
                f"allow the request header{'s' if len(refused) > 1 else ''} "
                f"{', '.join(refused)}",
                "allow_headers",
                items,
            )
        ], _header_notes(refused, options)
    if reason == "credentials":
        if options.get("allow_origins") == "*":
            return [], [
                "credentials cannot be allowed for allow_origins='*' (browsers "
                "refuse credentialed responses with Access-Control-Allow-Origin: "
                "*); list the allowed origins and set allow_credentials=True"
            ]
        return [
            Fix(
                "allow credentials",
                flag_name("allow_credentials"),
                "allow_credentials=True",
                "allow_credentials = true",
                "allow_credentials",
                True,
            )
        ], []
    return [], []


def env_line(fix: Fix) -> str:
    """The fix as a ``CORS_*`` variable of the zero-code entry."""
    option, _, value = fix.ini.partition(" = ")
    return f"{env_name(option)}={value!r}"
