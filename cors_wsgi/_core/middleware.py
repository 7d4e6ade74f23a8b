"""The WSGI layer: find the policy, tell preflight from actual request, answer."""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Iterable,
    Mapping,
    Optional,
    Sequence,
    Set,
)

from .errors import ConfigurationError
from .http import Header
from .log import DEBUG, log_actual, logger
from .options import OPTION_NAMES, parse_options, unknown_option_message
from .policy import decide_origin
from .preflight import PreflightResponder
from .resources import ResourceTable, build_resources
from .respond import PLAIN_HEADER_NAMES, merge_headers

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["CORSMiddleware"]

try:
    from mypy_extensions import mypyc_attr
except ImportError:  # no mypy at run time: the decorator only speaks to mypyc

    def mypyc_attr(*args: Any, **attrs: Any) -> Any:  # type: ignore[misc]
        return lambda cls: cls


# Compiled, the class may still be subclassed by applications.
@mypyc_attr(allow_interpreted_subclasses=True)
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

    __slots__ = ("_learnt_names", "_preflight", "_resources", "application")

    def __init__(
        self,
        application: Any,
        *,
        allow_origins: Any = (),
        allow_origin_regex: Any = None,
        allow_methods: Any = ("GET", "HEAD", "POST"),
        allow_headers: Any = (),
        expose_headers: Any = (),
        allow_credentials: Any = False,
        max_age: Any = 600,
        allow_private_network: Any = False,
        resources: Any = None,
        preflight_status: Any = 204,
        deny_status: Any = 403,
        preflight_passthrough: Any = False,
        preflight_cache_size: Any = 1024,
        **unknown: Any,
    ) -> None:
        errors = [unknown_option_message(name, OPTION_NAMES) for name in unknown]
        if not callable(application):
            errors.append(
                f"application: {application!r} is not a WSGI application; pass "
                f"the callable itself, e.g. CORSMiddleware(app.wsgi_app, ...)"
            )
        if (
            not isinstance(preflight_cache_size, int)
            or isinstance(preflight_cache_size, bool)
            or preflight_cache_size < 0
        ):
            errors.append(
                f"preflight_cache_size: {preflight_cache_size!r} is not a whole "
                f"number >= 0; use e.g. 1024, or 0 to turn the cache off"
            )
            preflight_cache_size = 0
        policy_options = {
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
        table = build_resources(resources, policy_options, errors)
        if errors:
            raise ConfigurationError("\n".join(errors))
        assert table is not None  # every path that leaves it None adds an error
        self.application: WSGIApplication = application
        self._resources: ResourceTable = table
        self._preflight = PreflightResponder(preflight_cache_size)
        # Response header names seen to be neither Access-Control-* nor Vary,
        # so that an application's own vocabulary costs one look-up a header.
        self._learnt_names: Set[str] = set(PLAIN_HEADER_NAMES)

    @classmethod
    def from_config(
        cls, application: WSGIApplication, config: Mapping[str, Any]
    ) -> CORSMiddleware:
        """Build the middleware from string options, as an ini file gives them.

        Lists are split on commas and white space, booleans accept
        true/false/yes/no/on/off/1/0, numbers are decimal, and ``max_age``
        accepts ``none`` or an empty value for None. Values that are not
        strings are taken as they are. ``resources`` cannot be given here.
        Values that do not parse and problems of the policy are reported
        together, in one ConfigurationError.

        .. versionadded:: 0.1.0
        """
        options, errors = parse_options(config)
        try:
            middleware = cls(application, **options)
        except ConfigurationError as exc:
            errors.append(str(exc))
        if errors:
            raise ConfigurationError("\n".join(errors))
        return middleware

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        policy = self._resources.every_path
        if policy is None:
            policy = self._resources.policy_for(environ)
            if policy is None:
                return self.application(environ, start_response)
        origin: Optional[str] = environ.get("HTTP_ORIGIN")
        if origin is None:
            cors_headers = policy.no_origin_headers
            if logger.isEnabledFor(DEBUG):
                log_actual(environ, origin, False)
        elif "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ and (
            environ.get("REQUEST_METHOD") == "OPTIONS"
        ):
            # https://fetch.spec.whatwg.org/#cors-preflight-request
            answer = self._preflight.answer(policy, origin, environ)
            if not policy.preflight_passthrough:
                start_response(answer.status, list(answer.headers))
                return answer.body
            cors_headers = answer.passthrough_headers
        else:
            decided = policy.answers.get(origin) or decide_origin(
                policy, origin, environ
            )
            cors_headers = decided.headers
            if logger.isEnabledFor(DEBUG):
                log_actual(environ, origin, decided.allowed)
        learnt = self._learnt_names

        def cors_start_response(
            status: str,
            headers: Sequence[Header],
            exc_info: Optional[OptExcInfo] = None,
        ) -> Callable[[bytes], object]:
            # Fast path: every name is known to be neither Access-Control-*
            # nor Vary, so the CORS headers are simply added to a new list
            # (PEP 3333: the application may reuse its own). header[0]
            # rather than unpacking: compiled, unpacking an item of unknown
            # type goes through the iterator protocol.
            if isinstance(headers, list):
                for header in headers:
                    if header[0] not in learnt:
                        break
                else:
                    return start_response(status, headers + cors_headers, exc_info)
            merged = merge_headers(headers, cors_headers, learnt)
            return start_response(status, merged, exc_info)

        return self.application(environ, cors_start_response)
