"""The Public Suffix List: which domains anyone can register names under.

A ``*.`` origin entry whose base is a public suffix (``https://*.com``,
``https://*.github.io``) hands credentials to every site under it, and anyone
can register or publish one there. The list is a snapshot shipped beside this
module (``public_suffix_list.dat``, both its ICANN and PRIVATE sections,
under the MPL 2.0), read once, on the first look-up, which happens only while
a policy is built. ``scripts/refresh_public_suffix_list.py`` updates it.

The algorithm is the list's own: https://github.com/publicsuffix/list/wiki/Format
(normal, wildcard ``*.`` and exception ``!`` rules; the most specific rule
wins, an exception rule beats every other; an unlisted top-level domain is a
public suffix by the default rule ``*``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict, FrozenSet, List, NamedTuple

__all__ = [
    "ICANN",
    "PRIVATE",
    "Rules",
    "build_rules",
    "is_public_suffix",
    "load_rules",
    "parse_rules",
    "public_suffix",
    "snapshot_path",
    "to_ascii",
]

#: Section names, as the list's ``// ===BEGIN ... DOMAINS===`` markers spell them.
ICANN = "ICANN"
PRIVATE = "PRIVATE"
_SECTIONS = (ICANN, PRIVATE)


class Rules(NamedTuple):
    """The list compiled for look-ups: each set holds domains without the prefix."""

    normal: FrozenSet[str]  # "co.uk" for the rule "co.uk"
    wildcard: FrozenSet[str]  # "ck" for the rule "*.ck"
    exception: FrozenSet[str]  # "www.ck" for the rule "!www.ck"


def to_ascii(domain: str) -> str:
    """Return ``domain`` with each non-ASCII label in its ``xn--`` (punycode) form.

    The list's rules are written in Unicode (``公司.cn``), but browsers send
    host names in their ASCII form (``xn--55qx5d.cn``). For the lower-case NFC
    labels the list uses, this is the IDNA 2008 A-label (RFC 5891 section
    4.4) and equals Python's IDNA 2003 codec's answer.
    """
    return ".".join(
        label if label.isascii() else "xn--" + label.encode("punycode").decode()
        for label in domain.split(".")
    )


def parse_rules(text: str) -> Dict[str, str]:
    """Parse the text of a Public Suffix List into ``{rule: section}``.

    Rules are kept as written (``*.ck``, ``!www.ck``, ``公司.cn``); the
    section is :data:`ICANN` or :data:`PRIVATE`. Raises :exc:`ValueError`,
    naming the line, for a rule outside both sections or one that is not
    well formed (an empty label, or ``*`` or ``!`` anywhere but where the
    format allows them), and when a section is missing.
    """
    rules: Dict[str, str] = {}
    section = ""
    seen: List[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("//"):
            for name in _SECTIONS:
                if line == f"// ===BEGIN {name} DOMAINS===":
                    section = name
                    seen.append(name)
                elif line == f"// ===END {name} DOMAINS===":
                    section = ""
            continue
        if not line:
            continue
        # "Each line is only read up to the first whitespace."
        rule = line.split()[0]
        if not section:
            raise ValueError(f"line {number}: rule {rule!r} is outside a section")
        if not _well_formed(rule):
            raise ValueError(f"line {number}: {rule!r} is not a well-formed rule")
        rules.setdefault(rule, section)
    for name in _SECTIONS:
        if name not in seen:
            raise ValueError(f"the {name} section is missing")
    return rules


def _well_formed(rule: str) -> bool:
    exception = rule.startswith("!")
    labels = (rule[1:] if exception else rule).split(".")
    if exception and len(labels) < 2:
        # An exception rule names a domain under a wildcard rule.
        return False
    if not exception and labels[0] == "*" and len(labels) > 1:
        labels = labels[1:]
    return all(label and "*" not in label and "!" not in label for label in labels)


def build_rules(rules: Dict[str, str]) -> Rules:
    """Compile parsed rules for look-ups, in their Unicode and ASCII forms."""
    normal = set()
    wildcard = set()
    exception = set()
    for rule in rules:
        for form in {rule, to_ascii(rule)}:
            if form.startswith("!"):
                exception.add(form[1:])
            elif form.startswith("*."):
                wildcard.add(form[2:])
            else:
                normal.add(form)
    return Rules(frozenset(normal), frozenset(wildcard), frozenset(exception))


def snapshot_path() -> Path:
    """The snapshot of the list shipped beside this module."""
    # Looked up when called: a module compiled by mypyc has no __file__ yet
    # while its top level runs.
    return Path(__file__).with_name("public_suffix_list.dat")


@functools.lru_cache(maxsize=None)
def load_rules() -> Rules:
    """The shipped snapshot, read and compiled on the first call only."""
    return build_rules(parse_rules(snapshot_path().read_text(encoding="utf-8")))


def public_suffix(domain: str) -> str:
    """Return the public suffix of ``domain`` by the list's algorithm.

    ``domain`` is a host name (ASCII, ``xn--`` labels, or Unicode); case and
    one trailing dot are ignored. ``public_suffix("a.b.example.co.uk")`` is
    ``"co.uk"``; an unlisted top-level domain is its own public suffix
    (``public_suffix("a.localhost")`` is ``"localhost"``). Raises
    :exc:`ValueError` for a name with an empty label (``""``, ``"a..b"``).
    """
    labels = _labels(domain)
    return ".".join(labels[_suffix_start(labels) :])


def is_public_suffix(domain: str) -> bool:
    """Whether ``domain`` is itself a public suffix (anyone registers under it).

    True for names the list makes public suffixes (``com``, ``co.uk``,
    ``github.io``, ``vercel.app``, ``anything.ck`` by the rule ``*.ck``) and for
    every single label (a whole top-level domain, listed or not: ``localhost``,
    ``example``, ``internal``, by the default rule ``*``). False for
    ``example.com``, ``a.github.io`` and ``www.ck`` (the exception ``!www.ck``).
    Same input rules as :func:`public_suffix`.
    """
    return _suffix_start(_labels(domain)) == 0


def _labels(domain: str) -> List[str]:
    name = domain.lower()
    if name.endswith("."):
        name = name[:-1]
    labels = name.split(".")
    if not all(labels):
        raise ValueError(f"{domain!r} is not a domain name: it has an empty label")
    return labels


def _suffix_start(labels: List[str]) -> int:
    """The index of the first label of the public suffix: one look-up per label."""
    rules = load_rules()
    count = len(labels)
    # An exception rule prevails over every other matching rule; its public
    # suffix is the rule less its left-most label.
    for start in range(count):
        if ".".join(labels[start:]) in rules.exception:
            return start + 1
    # Otherwise the matching rule with the most labels: "*.base" matches
    # labels[start:] when base is labels[start + 1:].
    for start in range(count):
        if (
            ".".join(labels[start:]) in rules.normal
            or ".".join(labels[start + 1 :]) in rules.wildcard
        ):
            return start
    # The default rule "*": the top-level domain.
    return count - 1
