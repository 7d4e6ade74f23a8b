"""Per-path policies: which policy, if any, covers a request path."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Pattern, Tuple

from .options import POLICY_OPTION_NAMES, unknown_option_message
from .policy import Policy, build_policy

__all__ = ["ResourceTable", "build_resources"]


class ResourceTable:
    """Path patterns and their policies; the first matching key wins.

    A string key ending in ``*`` covers every path that starts with what
    comes before the ``*``; any other string key covers exactly that path; a
    compiled pattern must match the whole path. Paths are compared as the
    server decoded them (``SCRIPT_NAME + PATH_INFO``), case-sensitively.
    Finding the policy costs one look-up for exact paths and one per distinct
    prefix length, whatever the number of keys; compiled patterns are tried
    in turn, only those placed before the best match found so far. Each
    policy's ``position`` is its key's place in the order given.
    """

    __slots__ = ("_exact", "_patterns", "_prefix_lengths", "_prefixes", "every_path")

    def __init__(
        self,
        every_path: Optional[Policy] = None,
        routes: Tuple[Tuple[object, Policy], ...] = (),
    ) -> None:
        #: The one policy of every path, when there are no per-path keys: the
        #: middleware reads it first, and asks :meth:`policy_for` only when
        #: it is None.
        self.every_path = every_path
        self._exact: Dict[str, Policy] = {}
        self._prefixes: Dict[str, Policy] = {}
        self._patterns: List[Tuple[Pattern[str], Policy]] = []
        for key, policy in routes:
            if isinstance(key, str) and key.endswith("*"):
                self._prefixes.setdefault(key[:-1], policy)
            elif isinstance(key, str):
                self._exact.setdefault(key, policy)
            else:
                self._patterns.append((key, policy))  # type: ignore[arg-type]
        self._prefix_lengths = sorted({len(prefix) for prefix in self._prefixes})

    def policy_for(self, environ: Dict[str, Any]) -> Optional[Policy]:
        """The policy of the first key covering the request's path, or None."""
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        best = self._exact.get(path)
        for length in self._prefix_lengths:
            if length > len(path):
                break
            policy = self._prefixes.get(path[:length])
            if policy is not None and (best is None or policy.position < best.position):
                best = policy
        for pattern, policy in self._patterns:
            if best is not None and policy.position > best.position:
                break
            if pattern.fullmatch(path) is not None:
                return policy
        return best


def _key_problem(key: object) -> Optional[str]:
    if isinstance(key, str):
        star = key.find("*")
        if (key.startswith("/") or key == "*") and star in (-1, len(key) - 1):
            return None
        return (
            f"resources: {key!r} is not a path pattern; write an exact path such "
            f"as '/api/users', a prefix ending in '*' such as '/api/*', or a "
            f"compiled re.Pattern"
        )
    if hasattr(key, "fullmatch") and isinstance(getattr(key, "pattern", None), str):
        return None
    return (
        f"resources: {key!r} is not a path pattern; keys are str paths or "
        f"compiled str patterns (re.compile(r'/api/v[0-9]+/.*'))"
    )


def build_resources(
    resources: object, defaults: Mapping[str, Any], errors: List[str]
) -> Optional[ResourceTable]:
    """The table for *resources* (None: one policy for every path).

    Each resource's options are laid over *defaults*; every problem of every
    resource adds a line to *errors*, naming the resource.
    """
    if resources is None:
        policy = build_policy(defaults, errors)
        return None if policy is None else ResourceTable(every_path=policy)
    if not isinstance(resources, Mapping):
        errors.append(
            f"resources: expected a dict of path pattern -> options, got "
            f"{resources!r}; e.g. {{'/api/*': {{'allow_origins': "
            f"['https://a.example']}}}}"
        )
        return None
    count = len(errors)
    routes: List[Tuple[object, Policy]] = []
    for key, options in resources.items():
        where = f"in resources[{key!r}]"
        problem = _key_problem(key)
        if problem is not None:
            errors.append(problem)
        if not isinstance(options, Mapping):
            errors.append(
                f"resources: the value for {key!r} must be a dict of options, "
                f"got {options!r}"
            )
            continue
        bad = [name for name in options if name not in POLICY_OPTION_NAMES]
        for name in bad:
            if name in ("resources", "preflight_cache_size"):
                errors.append(
                    f"{name}: cannot be set {where}; give it beside resources"
                )
            else:
                errors.append(
                    unknown_option_message(name, POLICY_OPTION_NAMES, f" {where}")
                )
        if bad:
            continue
        policy_errors: List[str] = []
        policy = build_policy({**defaults, **options}, policy_errors, len(routes))
        errors.extend(f"{line} ({where})" for line in policy_errors)
        if policy is not None and problem is None:
            routes.append((key, policy))
    if len(errors) > count:
        return None
    return ResourceTable(routes=tuple(routes))
