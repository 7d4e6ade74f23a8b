"""Per-path policies: which policy, if any, covers a request path."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Pattern, Tuple, Union

from .config import POLICY_OPTION_NAMES, Policy, build_policy, unknown_option_message
from .errors import ConfigurationError

__all__ = ["ResourceTable"]

PathPattern = Union[str, Pattern[str]]

# Paths remembered per table, and the longest one remembered: enough for an
# application's own routes, bounded whatever paths clients make up.
_MEMO_SIZE = 2048
_MEMO_PATH_LENGTH = 512
_EXACT, _PREFIX, _REGEX = 0, 1, 2


class ResourceTable:
    """An ordered list of (path pattern, policy); the first match wins.

    A string key ending in ``*`` covers every path that starts with what comes
    before the ``*``; any other string key covers exactly that path; a
    compiled pattern must match the whole path. Paths are compared as the
    server decoded them (``SCRIPT_NAME + PATH_INFO``), case-sensitively, with
    no further unquoting or normalisation.
    """

    __slots__ = ("entries", "memo", "policies")

    def __init__(self, resources: object, defaults: Mapping[str, Any]) -> None:
        errors: List[str] = []
        self.entries: List[Tuple[int, Any, int]] = []
        self.policies: List[Policy] = []
        if not isinstance(resources, Mapping):
            raise ConfigurationError(
                f"resources: expected a dict of path pattern -> options, got "
                f"{resources!r}"
            )
        for key, options in resources.items():
            entry = self._entry(key, errors)
            where = f" in resources[{key!r}]"
            if not isinstance(options, Mapping):  # a user's mistake, not a type
                errors.append(
                    f"resources: the value for {key!r} must be a dict of options, "
                    f"got {options!r}"
                )
                continue
            bad = [name for name in options if name not in POLICY_OPTION_NAMES]
            for name in bad:
                if name in ("resources", "preflight_cache_size"):
                    errors.append(
                        f"{name}: cannot be set{where}; give it beside resources"
                    )
                else:
                    errors.append(
                        unknown_option_message(name, POLICY_OPTION_NAMES, where)
                    )
            if bad:
                continue
            try:
                policy = build_policy({**defaults, **options}, where)
            except ConfigurationError as exc:
                errors.extend(f"{line} ({where[1:]})" for line in str(exc).splitlines())
                continue
            if entry is not None:
                self.entries.append((*entry, len(self.policies)))
                self.policies.append(policy)
        if errors:
            raise ConfigurationError("\n".join(errors))
        #: Path -> policy index (or -1), for paths seen before. The request
        #: path reads it directly and calls :meth:`match` only on a miss.
        self.memo: Dict[str, int] = {}

    @staticmethod
    def _entry(key: object, errors: List[str]) -> Optional[Tuple[int, Any]]:
        if isinstance(key, str):
            star = key.find("*")
            if not (key.startswith("/") or key == "*") or (
                star != -1 and star != len(key) - 1
            ):
                errors.append(
                    f"resources: {key!r} is not a path pattern; write an exact "
                    f"path such as '/api/users', a prefix ending in '*' such as "
                    f"'/api/*', or a compiled re.Pattern"
                )
                return None
            if star != -1:
                return _PREFIX, key[:-1]
            return _EXACT, key
        if hasattr(key, "fullmatch") and isinstance(getattr(key, "pattern", None), str):
            return _REGEX, key
        errors.append(
            f"resources: {key!r} is not a path pattern; keys are str paths or "
            f"compiled str patterns (re.compile(r'/api/v[0-9]+/.*'))"
        )
        return None

    def match(self, path: str) -> int:
        """The index of the policy covering *path*, or -1 when none does.

        The answer is remembered in :attr:`memo`, which callers read first.
        """
        memo = self.memo
        found = -1
        for kind, pattern, index in self.entries:
            if kind == _EXACT:
                hit = path == pattern
            elif kind == _PREFIX:
                hit = path.startswith(pattern)
            else:
                hit = pattern.fullmatch(path) is not None
            if hit:
                found = index
                break
        if len(path) <= _MEMO_PATH_LENGTH:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[path] = found
        return found
