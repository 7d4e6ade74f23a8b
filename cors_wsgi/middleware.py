"""The WSGI layer: reads a few environ keys, picks a ready answer."""

from __future__ import annotations

import logging
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Set,
)

from .config import (
    DEFAULTS,
    OPTION_NAMES,
    VARY_ORIGIN,
    Policy,
    build_policy,
    coerce_options,
    unknown_option_message,
)
from .errors import ConfigurationError
from .httputil import Header, merge_vary
from .preflight import PreflightResponder, log_preflight, preflight_key
from .resources import ResourceTable

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["CORSMiddleware"]

logger = logging.getLogger("cors_wsgi")
_DEBUG = logging.DEBUG
_LOG_VALUE_LENGTH = 200

# Whether DEBUG may be enabled for our logger. Asking logger.isEnabledFor() on
# every request costs more than the rest of the decision, so the middleware
# reads this flag first. It is kept true to the logging module by watching the
# logger's own isEnabledFor() memo: logging writes DEBUG's answer into it, and
# clears it (under its lock, for every logger) whenever any level changes or
# logging.disable() is called, after which the next request asks again.
_debug_maybe = True


class _WatchedLevelMemo(Dict[int, bool]):
    """``Logger._cache``, keeping :data:`_debug_maybe` in step with it."""

    __slots__ = ()

    def __setitem__(self, level: int, enabled: bool) -> None:
        global _debug_maybe
        if level == _DEBUG:
            _debug_maybe = enabled
        super().__setitem__(level, enabled)

    def clear(self) -> None:
        global _debug_maybe
        _debug_maybe = True
        super().clear()


def _watch_level_memo(target: logging.Logger) -> bool:
    """Install the watch on *target*; False when its logging has no memo."""
    global _debug_maybe
    memo = getattr(target, "_cache", None)
    if type(memo) is not dict:
        _debug_maybe = True
        return False
    target._cache = _WatchedLevelMemo(memo)  # type: ignore[attr-defined]
    _debug_maybe = memo.get(_DEBUG) is not False
    return True


_watch_level_memo(logger)

_NO_VARY: List[Header] = []
_VARY_ONLY: List[Header] = [VARY_ORIGIN]

# Response header names known to be neither Access-Control-* nor Vary. Most
# responses carry only such names, and one set lookup per header (their hashes
# are cached on the app's own string objects) is the cheapest way to see that
# nothing needs a closer look. Names seen on responses join the set, up to a
# bound, so an application's own vocabulary is learnt after one response.
_PLAIN_NAMES: Set[str] = {
    name
    for base in (
        "Cache-Control",
        "Content-Disposition",
        "Content-Encoding",
        "Content-Language",
        "Content-Length",
        "Content-Security-Policy",
        "Content-Type",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
        "Date",
        "ETag",
        "Expires",
        "Last-Modified",
        "Link",
        "Location",
        "Pragma",
        "Referrer-Policy",
        "Retry-After",
        "Server",
        "Set-Cookie",
        "Strict-Transport-Security",
        "Transfer-Encoding",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "X-Request-Id",
    )
    for name in (base, base.lower())
}
_PLAIN_NAMES_LIMIT = 1024


def _with_cors(headers: List[Header], extra: List[Header]) -> List[Header]:
    """The app's headers, without its Access-Control-* ones, plus *extra*.

    The request path inlines this function, which handles every case.
    Concatenation fails for anything but a list (PEP 3333 requires one)
    before a single item has been read, so _merge() still gets all of them;
    that costs less than checking the type first.
    """
    try:
        combined = headers + extra
    except TypeError:
        return _merge(headers, extra)
    for item in headers:
        if item[0] not in _PLAIN_NAMES:
            return _merge(headers, extra)
    return combined


def _merge(headers: Iterable[Header], extra: List[Header]) -> List[Header]:
    out: List[Header] = []
    app_vary: List[str] = []
    for item in headers:
        name = item[0].lower()
        if name.startswith("access-control-"):
            continue
        if name == "vary":
            app_vary.append(item[1])
            continue
        out.append(item)
        if len(_PLAIN_NAMES) < _PLAIN_NAMES_LIMIT:
            _PLAIN_NAMES.add(item[0])
    our_vary: List[str] = []
    for item in extra:
        if item[0] == "Vary":
            our_vary.append(item[1])
        else:
            out.append(item)
    merged = merge_vary(app_vary, our_vary) if our_vary else None
    if merged is None:
        # Nothing to add, or the app said "Vary: *": its Vary stays as it was.
        out.extend(("Vary", value) for value in app_vary)
    else:
        out.append(("Vary", merged))
    return out


class CORSMiddleware:
    """Wrap a WSGI application so that browsers on other origins can call it.

    Every option is checked when the middleware is built; a mistake raises
    :class:`~cors_wsgi.ConfigurationError` naming the option and saying how to
    fix it. Serving a request then only reads a few environ keys::

        from cors_wsgi import CORSMiddleware

        application = CORSMiddleware(
            application,
            allow_origins=["https://app.example.com"],
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=True,
        )

    :param application: any PEP 3333 WSGI application.
    :param allow_origins: the origins allowed to read responses: serialized
        origins such as ``"https://a.example"`` (scheme and host compared
        case-insensitively, default ports ignored), ``"https://*.example.com"``
        for any subdomain, ``"null"``, the single string ``"*"`` for every
        origin, or a callable ``(origin, environ) -> bool`` asked on every
        request and never cached. A string is one origin.
    :param allow_origin_regex: a regular expression (str or compiled) that
        must match the whole ``Origin`` value.
    :param allow_methods: methods a preflight may ask for, or ``"*"``.
        ``GET``, ``HEAD`` and ``POST`` are always accepted, as browsers need
        no permission for them.
    :param allow_headers: request header names a preflight may ask for, or
        ``"*"``. ``Accept``, ``Accept-Language``, ``Content-Language`` and
        ``Content-Type`` are always allowed.
    :param expose_headers: response header names scripts may read, or ``"*"``
        (only without credentials).
    :param allow_credentials: allow cookies and HTTP authentication; cannot
        be combined with ``"*"`` origins.
    :param max_age: seconds a browser (and this middleware) may cache a
        preflight answer; None omits ``Access-Control-Max-Age`` and turns the
        server-side cache off for that policy.
    :param allow_private_network: answer Private Network Access preflights
        (``Access-Control-Request-Private-Network: true``).
    :param resources: per-path policies: a dict from path pattern (exact
        path, prefix ending in ``*``, or compiled pattern) to a dict of the
        options above; the first matching key wins and options given beside
        ``resources`` are every resource's defaults. Paths no key covers pass
        through untouched.
    :param preflight_status: status of an accepted preflight (200-299).
    :param deny_status: status of a refused preflight (200-599).
    :param preflight_passthrough: let OPTIONS preflights reach the
        application, adding the CORS headers to its answer.
    :param preflight_cache_size: how many preflight answers to remember; 0
        turns the server-side cache off.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_clock",
        "_policy",
        "_preflight_entries",
        "_responder",
        "_table",
        "application",
    )

    def __init__(
        self,
        application: WSGIApplication,
        *,
        allow_origins: Any = DEFAULTS["allow_origins"],
        allow_origin_regex: Any = DEFAULTS["allow_origin_regex"],
        allow_methods: Any = DEFAULTS["allow_methods"],
        allow_headers: Any = DEFAULTS["allow_headers"],
        expose_headers: Any = DEFAULTS["expose_headers"],
        allow_credentials: bool = DEFAULTS["allow_credentials"],
        max_age: Optional[int] = DEFAULTS["max_age"],
        allow_private_network: bool = DEFAULTS["allow_private_network"],
        resources: Optional[Mapping[Any, Mapping[str, Any]]] = None,
        preflight_status: int = DEFAULTS["preflight_status"],
        deny_status: int = DEFAULTS["deny_status"],
        preflight_passthrough: bool = DEFAULTS["preflight_passthrough"],
        preflight_cache_size: Any = 1024,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise ConfigurationError(
                "\n".join(
                    unknown_option_message(name, OPTION_NAMES) for name in unknown
                )
            )
        if not callable(application):
            raise ConfigurationError(
                f"application: {application!r} is not a WSGI application; pass "
                f"the callable itself, e.g. CORSMiddleware(app.wsgi_app, ...)"
            )
        if (
            not isinstance(preflight_cache_size, int)
            or isinstance(preflight_cache_size, bool)
            or preflight_cache_size < 0
        ):
            raise ConfigurationError(
                f"preflight_cache_size: {preflight_cache_size!r} is not a whole "
                f"number >= 0; use e.g. 1024, or 0 to turn the cache off"
            )
        options: Dict[str, Any] = {
            "allow_origins": allow_origins,
            "allow_origin_regex": allow_origin_regex,
            "allow_methods": allow_methods,
            "allow_headers": allow_headers,
            "expose_headers": expose_headers,
            "allow_credentials": allow_credentials,
            "max_age": max_age,
            "allow_private_network": allow_private_network,
            "preflight_status": preflight_status,
            "deny_status": deny_status,
            "preflight_passthrough": preflight_passthrough,
        }
        self.application = application
        self._policy = build_policy(options)
        self._table: Optional[ResourceTable] = (
            None if resources is None else ResourceTable(resources, options)
        )
        self._responder = PreflightResponder(preflight_cache_size)
        self._preflight_entries = self._responder.cache.entries
        self._clock = self._responder.cache.clock

    @classmethod
    def from_config(
        cls, application: WSGIApplication, config: Mapping[str, Any]
    ) -> CORSMiddleware:
        """Build the middleware from string options, as an ini file gives them.

        Lists are split on commas and white space, booleans accept
        true/false/yes/no/on/off/1/0, numbers are decimal, and ``max_age``
        accepts ``none`` or an empty value for None. Values that are not
        strings are taken as they are. ``resources`` cannot be given here.

        .. versionadded:: 0.1.0
        """
        return cls(application, **coerce_options(config))

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        table = self._table
        if table is None:
            index = 0
            policy = self._policy
        else:
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            memo = table.memo.get(path)
            index = table.match(path) if memo is None else memo
            if index < 0:
                return self.application(environ, start_response)
            policy = table.policies[index]

        origin = environ.get("HTTP_ORIGIN")
        if origin is None:
            extra = policy.no_origin_headers
        elif "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ and (
            environ.get("REQUEST_METHOD") == "OPTIONS"
        ):
            if policy.preflight_passthrough:
                return self._passthrough(index, policy, origin, environ, start_response)
            # preflight_key() and PreflightResponder.cached(), inlined: a cached
            # preflight is one lookup and one clock reading.
            key = (
                index,
                origin if policy.origin_dependent else None,
                environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"],
                environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", ""),
                environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true",
            )
            entry = self._preflight_entries.get(key)
            if entry is not None and entry[0] > self._clock():
                answer = entry[1]
                if _debug_maybe and logger.isEnabledFor(_DEBUG):
                    log_preflight(answer[0], origin, key[2], key[3], " (cached)")
            else:
                answer = self._responder.answer(key, policy, origin, environ)
            start_response(answer[1], list(answer[2]))
            return answer[4]
        else:
            # A "*" policy remembers no origin, so it always takes the branch.
            remembered = policy.origin_answers.get(origin)
            if remembered is not None:
                extra = remembered
            elif policy.allow_all_origins:
                extra = policy.wildcard_headers
            else:
                extra = policy.answer_for(origin, environ)
        if _debug_maybe and logger.isEnabledFor(_DEBUG):
            _log_actual(policy, extra, origin, environ)

        def cors_start_response(
            status: str, headers: List[Header], exc_info: Optional[OptExcInfo] = None
        ) -> Any:
            # _with_cors(), inlined: it runs on every response.
            try:
                combined = headers + extra
            except TypeError:
                return start_response(status, _merge(headers, extra), exc_info)
            for item in headers:
                if item[0] not in _PLAIN_NAMES:
                    return start_response(status, _merge(headers, extra), exc_info)
            return start_response(status, combined, exc_info)

        return self.application(environ, cors_start_response)

    def _passthrough(
        self,
        index: int,
        policy: Policy,
        origin: str,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """A preflight the app answers, with the decided CORS headers added."""
        responder = self._responder
        key = preflight_key(index, policy, origin, environ)
        reason, _, _, cors, _ = responder.cached(key) or responder.answer(
            key, policy, origin, environ
        )
        if reason:
            extra = _VARY_ONLY if policy.origin_dependent else _NO_VARY
        else:
            extra = list(cors)

        def cors_start_response(
            status: str, headers: List[Header], exc_info: Optional[OptExcInfo] = None
        ) -> Any:
            return start_response(status, _with_cors(headers, extra), exc_info)

        return self.application(environ, cors_start_response)


def _log_actual(
    policy: Policy,
    extra: List[Header],
    origin: Optional[str],
    environ: WSGIEnvironment,
) -> None:
    limit = _LOG_VALUE_LENGTH
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    if origin is None:
        decision = "no Origin header"
    elif policy.allow_all_origins:
        decision = "allowed (any origin)"
    elif extra is policy.refused_headers:
        decision = "refused, origin not allowed"
    else:
        decision = "allowed"
    logger.debug(
        "%s %r: %s%s",
        environ.get("REQUEST_METHOD"),
        path[:limit],
        decision,
        "" if origin is None else f" (origin={origin[:limit]!r})",
    )
