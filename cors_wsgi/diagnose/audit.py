"""Send a request as a browser would, and audit the answers of any live server.

Only the standard library talks to the server (``http.client``, ``ssl``), one
connection per request, never following redirects. All traffic goes to the
URL given; the origins the audit tries are only values of ``Origin``.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from typing import Dict, List, NamedTuple, Optional, Tuple
from urllib.parse import urlsplit

from ..fetch import cors_unsafe_request_header_names
from .browser import (
    Failure,
    Headers,
    cors_failure,
    exposed_header_names,
    get,
    preflight_failure,
    preflight_reasons,
    varies_on_origin,
)

__all__ = [
    "AUDIT_HOST",
    "MAX_REQUESTS",
    "CheckError",
    "Exchange",
    "Finding",
    "Probe",
    "Report",
    "Request",
    "Step",
    "Target",
    "check",
    "parse_url",
]

#: The most requests one ``check --audit`` sends: the request itself (a
#: preflight and the actual request) and eight probes of two requests each.
MAX_REQUESTS = 20
#: The host of the arbitrary origin: under ``.invalid``, reserved by RFC 2606,
#: so that it can belong to nobody.
AUDIT_HOST = "cors-wsgi-audit.invalid"
USER_AGENT = "cors-wsgi-check"
# Enough of a body to let the server finish; the checks read headers only.
_BODY_LIMIT = 1 << 20


class CheckError(Exception):
    """No usable answer: the message says why, in one line."""


class Target(NamedTuple):
    """The URL checked, split for ``http.client``."""

    url: str
    https: bool
    host: str
    port: int
    authority: str  # the Host header
    path: str  # the request target
    origin: str  # the URL's own origin


def parse_url(text: str) -> Target:
    """*text* as a Target; ValueError with a one-line reason when it is not one."""
    if not text.isascii() or re.search(r"[\x00-\x20\x7f]", text):
        raise ValueError(
            f"{text!r} is not a URL as a browser sends it: percent-encode spaces "
            "and non-ASCII characters, and use the xn-- form of the host"
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"{text!r} is not an http:// or https:// URL")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{text!r} has an invalid port") from None
    if not parts.hostname:
        raise ValueError(f"{text!r} has no host")
    if "@" in parts.netloc:
        raise ValueError(
            f"{text!r} holds a user name or password, which fetch() refuses"
        )
    https = scheme == "https"
    default = 443 if https else 80
    host = parts.hostname
    authority = parts.netloc.lower()
    bracketed = f"[{host}]" if ":" in host else host
    origin = f"{scheme}://{bracketed}"
    if port is not None and port != default:
        origin += f":{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    port = default if port is None else port
    return Target(text, https, host, port, authority, path, origin)


class Request(NamedTuple):
    """What the page's script asks ``fetch()`` for."""

    origin: str
    method: str  # as fetch() sends it
    headers: Tuple[Tuple[str, str], ...]  # set by the script
    cookie: Optional[str]  # the browser's cookies, sent only with credentials
    credentials: bool  # credentials mode "include"


class Exchange(NamedTuple):
    """One request sent and the answer's status line and headers."""

    method: str
    path: str
    request_headers: List[Tuple[str, str]]
    status: int
    reason: str
    headers: List[Tuple[str, str]]


class Step(NamedTuple):
    """A preflight or an actual request, and why the browser stops there."""

    kind: str  # "preflight" or "actual"
    exchange: Exchange
    failure: Optional[Failure]


class Probe(NamedTuple):
    """The same request with another origin, and what that origin could do."""

    name: str  # "arbitrary", "null", "http", "suffix", ...
    origin: str
    # "credentials": readable with cookies; "read": readable without them, for
    # that origin only; "public": readable by anyone ("*"); "none": refused.
    access: str
    steps: List[Step]


class Finding(NamedTuple):
    """A problem the audit found, with a fix in one line."""

    id: str
    severity: str  # "high", "medium", "low" or "info"
    message: str
    fix: str


class Report(NamedTuple):
    """Everything ``cors-wsgi check`` found out."""

    target: Target
    request: Request
    preflight_reasons: List[str]
    steps: List[Step]
    verdict: str  # "allowed", "refused" or "redirect"
    exposed: List[str]
    audit: bool
    probes: List[Probe]
    findings: List[Finding]
    requests: int


class _Client:
    # One connection per request, to the target only.
    def __init__(self, target: Target, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self.sent = 0

    def send(self, method: str, headers: Headers) -> Exchange:
        target = self.target
        sent = [("Host", target.authority), *headers]
        if method in ("POST", "PUT", "PATCH"):
            # As a browser sends a fetch() with one of these methods and no body.
            sent.append(("Content-Length", "0"))
        connection: http.client.HTTPConnection
        if target.https:
            connection = http.client.HTTPSConnection(
                target.host,
                target.port,
                timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        else:
            connection = http.client.HTTPConnection(
                target.host, target.port, timeout=self.timeout
            )
        self.sent += 1
        where = target.authority
        try:
            connection.putrequest(
                method, target.path, skip_host=True, skip_accept_encoding=True
            )
            for name, value in sent:
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            response.read(_BODY_LIMIT)
        except ssl.SSLError as error:
            reason = error.reason or error
            raise CheckError(f"TLS error with {where}: {reason}") from None
        except http.client.HTTPException as error:
            raise CheckError(
                f"{where} did not answer in HTTP ({type(error).__name__}: {error})"
            ) from None
        except socket.timeout:
            raise CheckError(
                f"no answer from {where} within {self.timeout:g} s"
            ) from None
        except ConnectionRefusedError:
            raise CheckError(
                f"cannot connect to {where}: connection refused "
                "(is the server running?)"
            ) from None
        except OSError as error:
            raise CheckError(
                f"connection to {where} failed: {error.strerror or error}"
            ) from None
        finally:
            connection.close()
        return Exchange(
            method,
            target.path,
            sent,
            response.status,
            response.reason,
            response.getheaders(),
        )


def _preflight(client: _Client, request: Request, origin: str) -> Exchange:
    # https://fetch.spec.whatwg.org/#cors-preflight-fetch, steps 1 to 4: no
    # credentials, no script headers; the unsafe names sorted, joined by ",".
    headers = [
        ("Origin", origin),
        ("Access-Control-Request-Method", request.method),
    ]
    unsafe = cors_unsafe_request_header_names(request.headers)
    if unsafe:
        headers.append(("Access-Control-Request-Headers", ",".join(unsafe)))
    headers += [("Accept", "*/*"), ("User-Agent", USER_AGENT)]
    return client.send("OPTIONS", headers)


def _actual(client: _Client, request: Request, origin: str) -> Exchange:
    headers = [("Origin", origin), *request.headers]
    if get(request.headers, "accept") is None:
        # https://fetch.spec.whatwg.org/#fetching, for fetch()'s empty destination
        headers.append(("Accept", "*/*"))
    if request.credentials and request.cookie is not None:
        headers.append(("Cookie", request.cookie))
    headers.append(("User-Agent", USER_AGENT))
    return client.send(request.method, headers)


def check(target: Target, request: Request, audit: bool, timeout: float) -> Report:
    """Send *request* to *target* as a browser would; with *audit*, probe too.

    Raises CheckError when there is no usable answer.
    """
    client = _Client(target, timeout)
    reasons = preflight_reasons(request.method, request.headers)
    unsafe = cors_unsafe_request_header_names(request.headers)
    steps: List[Step] = []
    if reasons:
        exchange = _preflight(client, request, request.origin)
        failure = preflight_failure(
            exchange.status,
            exchange.headers,
            request.origin,
            request.method,
            unsafe,
            request.credentials,
        )
        steps.append(Step("preflight", exchange, failure))
    if not steps or steps[0].failure is None:
        exchange = _actual(client, request, request.origin)
        failure = cors_failure(exchange.headers, request.origin, request.credentials)
        steps.append(Step("actual", exchange, failure))
    last = steps[-1]
    exposed: List[str] = []
    if last.failure is not None:
        verdict = "refused"
    elif 300 <= last.exchange.status < 400:
        # Only an actual request gets here: a redirected preflight fails.
        verdict = "redirect"
    else:
        verdict = "allowed"
        exposed = exposed_header_names(last.exchange.headers, request.credentials)
    probes = _probe_all(client, request, bool(reasons)) if audit else []
    findings = _findings(steps, probes) if audit else []
    return Report(
        target,
        request,
        reasons,
        steps,
        verdict,
        exposed,
        audit,
        probes,
        findings,
        client.sent,
    )


def _probe(
    client: _Client, request: Request, preflighted: bool, name: str, origin: str
) -> Probe:
    # The browser's whole flow from *origin*, judged with and without
    # credentials from the same answers.
    steps: List[Step] = []
    with_credentials = True
    if preflighted:
        exchange = _preflight(client, request, origin)
        unsafe = cors_unsafe_request_header_names(request.headers)
        failures = {
            mode: preflight_failure(
                exchange.status,
                exchange.headers,
                origin,
                request.method,
                unsafe,
                mode,
            )
            for mode in (True, False)
        }
        steps.append(Step("preflight", exchange, failures[request.credentials]))
        if failures[False] is not None:
            return Probe(name, origin, "none", steps)
        with_credentials = failures[True] is None
    exchange = _actual(client, request, origin)
    steps.append(
        Step(
            "actual",
            exchange,
            cors_failure(exchange.headers, origin, request.credentials),
        )
    )
    if with_credentials and cors_failure(exchange.headers, origin, True) is None:
        access = "credentials"
    elif cors_failure(exchange.headers, origin, False) is not None:
        access = "none"
    elif get(exchange.headers, "access-control-allow-origin") == "*":
        access = "public"
    else:
        access = "read"
    return Probe(name, origin, access, steps)


def _split_origin(origin: str) -> Tuple[str, str, str]:
    # scheme, host and ":port" (or "") of a serialized origin.
    scheme, _, rest = origin.partition("://")
    host, colon, port = rest.rpartition(":")
    if not colon or "]" in port:  # no port; an IPv6 address has colons too
        return scheme, rest, ""
    return scheme, host, colon + port


def _probe_all(client: _Client, request: Request, preflighted: bool) -> List[Probe]:
    origin = request.origin
    if origin == "null":
        return [
            _probe(client, request, preflighted, "arbitrary", f"https://{AUDIT_HOST}")
        ]
    scheme, host, port = _split_origin(origin)
    arbitrary = _probe(
        client, request, preflighted, "arbitrary", f"{scheme}://{AUDIT_HOST}"
    )
    probes = [arbitrary, _probe(client, request, preflighted, "null", "null")]
    if scheme == "https":
        insecure = f"http://{host}{port}"
        probes.append(_probe(client, request, preflighted, "http", insecure))
    if arbitrary.access != "none":
        # Every host is let in: lookalikes would tell nothing more.
        return probes
    # Lookalikes of the origin that the usual mistakes let through.
    lookalikes = [
        ("suffix", f"{scheme}://{host}.evil.invalid{port}"),
        ("prefix", f"{scheme}://evil{host}{port}"),
    ]
    if "." in host:
        lookalikes.append(("dot", f"{scheme}://{host.replace('.', 'x', 1)}{port}"))
    lookalikes.append(("subdomain", f"{scheme}://sub.{host}{port}"))
    for name, lookalike in lookalikes:
        probe = _probe(client, request, preflighted, name, lookalike)
        probes.append(probe)
        if name == "prefix" and probe.access != "none" and host.count(".") >= 2:
            # evilapp.example.com is let in: by a check of the end of the
            # origin (a bug), or because every subdomain of example.com is?
            parent = host.partition(".")[2]
            sibling = f"{scheme}://cors-wsgi-audit.{parent}{port}"
            probes.append(_probe(client, request, preflighted, "sibling", sibling))
    return probes


class _Kind(NamedTuple):
    id: str
    label: str
    risk: str
    fix: str


_KINDS: Dict[str, _Kind] = {
    "arbitrary": _Kind(
        "any-origin-allowed",
        "an arbitrary origin",
        "any web site can read the answer",
        "Check Origin against a list of trusted origins before echoing it in "
        "Access-Control-Allow-Origin.",
    ),
    "null": _Kind(
        "null-origin-allowed",
        "the null origin",
        "any web site can send Origin: null from a sandboxed iframe and read "
        "the answer",
        "Do not allow 'null': sandboxed iframes, data: URLs and local files of "
        "any site send it.",
    ),
    "http": _Kind(
        "insecure-origin-allowed",
        "the http:// variant",
        "anyone on the network path can run script on the http:// page and "
        "read the answer",
        "Allow only the https:// origin.",
    ),
    "suffix": _Kind(
        "suffix-lookalike-allowed",
        "a lookalike with a suffix",
        "whoever registers a domain that starts like this one can read the answer",
        "Match the whole origin (re.fullmatch(), or a pattern ending in $), "
        "not only its beginning.",
    ),
    "prefix": _Kind(
        "prefix-lookalike-allowed",
        "a lookalike with a prefix",
        "whoever registers a domain that ends like this one can read the answer",
        "Compare whole origins, or match subdomains after a dot "
        "('.example.com'), not with endswith('example.com').",
    ),
    "dot": _Kind(
        "unescaped-dot-allowed",
        "a dot replaced by a letter",
        "whoever registers that domain can read the answer: an unescaped '.' "
        "in a pattern matches any character",
        "Escape the dots of the pattern (\\. or re.escape()).",
    ),
    "subdomain": _Kind(
        "subdomains-allowed",
        "a subdomain",
        "every subdomain is trusted, so a vulnerable or taken-over subdomain "
        "can read the answer",
        "Nothing to do if every subdomain is yours and safe; otherwise list "
        "the origins one by one.",
    ),
}
_KINDS["sibling"] = _KINDS["subdomain"]._replace(label="another subdomain")

PROBE_LABELS: Dict[str, str] = {name: kind.label for name, kind in _KINDS.items()}


def _findings(steps: List[Step], probes: List[Probe]) -> List[Finding]:
    findings: List[Finding] = []
    sibling_allowed = any(
        probe.name == "sibling" and probe.access != "none" for probe in probes
    )
    for probe in probes:
        kind = _KINDS[probe.name]
        if probe.access not in ("credentials", "read"):
            continue
        if probe.name == "prefix" and sibling_allowed:
            continue  # the sibling probe tells what this is: a trusted parent
        if any(finding.id == kind.id for finding in findings):
            continue
        credentials = probe.access == "credentials"
        if kind.id == "subdomains-allowed":
            severity = "info"
        else:
            severity = "high" if credentials else "medium"
        how = " with credentials" if credentials else ""
        findings.append(
            Finding(
                kind.id,
                severity,
                f"{probe.origin} ({kind.label}) is allowed{how}: {kind.risk}.",
                kind.fix,
            )
        )
    exchanges = [step.exchange for step in steps] + [
        step.exchange for probe in probes for step in probe.steps
    ]
    findings += _header_findings(exchanges)
    return findings


def _header_findings(exchanges: List[Exchange]) -> List[Finding]:
    findings: List[Finding] = []
    for exchange in exchanges:
        allow_origin = get(exchange.headers, "access-control-allow-origin")
        allow_credentials = get(exchange.headers, "access-control-allow-credentials")
        if allow_origin == "*" and allow_credentials == "true":
            findings.append(
                Finding(
                    "wildcard-with-credentials",
                    "low",
                    "Access-Control-Allow-Origin: * comes with "
                    "Access-Control-Allow-Credentials: true, which browsers "
                    "refuse for any request with credentials.",
                    "Echo the request's origin, once checked against a list, "
                    "instead of '*'; or drop Access-Control-Allow-Credentials.",
                )
            )
            break
    for exchange in exchanges:
        allow_origin = get(exchange.headers, "access-control-allow-origin")
        if (
            exchange.method != "OPTIONS"
            and allow_origin not in (None, "*")
            and not varies_on_origin(exchange.headers)
        ):
            findings.append(
                Finding(
                    "vary-origin-missing",
                    "medium",
                    f"Access-Control-Allow-Origin: {allow_origin} comes without "
                    "Vary: Origin: a shared cache can serve one origin's answer "
                    "to another origin (cache poisoning, or broken pages).",
                    "Add 'Vary: Origin' to every response whose CORS headers "
                    "depend on the request's Origin.",
                )
            )
            break
    return findings
