#!/usr/bin/env python3
"""Refresh cors_wsgi's snapshot of the Public Suffix List.

The snapshot, ``cors_wsgi/_core/public_suffix_list.dat``, is the list's own
file, whole (its MPL 2.0 notice, its ICANN and PRIVATE sections). This script
copies a newer one from a file given as argument, or else from an installed
``publicsuffixlist`` or ``tldextract`` package (either ships a copy), checks
that it parses and holds the rules cors_wsgi relies on, and prints what
changed, section by section. Neither package is a dependency of cors_wsgi.

Usage::

    pip install --upgrade publicsuffixlist
    python3 scripts/refresh_public_suffix_list.py            # from the package
    python3 scripts/refresh_public_suffix_list.py FILE.dat   # from a file
    python3 scripts/refresh_public_suffix_list.py --dry-run  # only report

Exit status: 0 done (or nothing to change), 1 no usable source, a file that
does not parse, or an older list than the snapshot (unless --allow-older).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cors_wsgi._core.public_suffix import (  # noqa: E402
    ICANN,
    PRIVATE,
    parse_rules,
    snapshot_path,
)

#: Where each package keeps its copy of the list.
PACKAGED_COPIES = (
    ("publicsuffixlist", "public_suffix_list.dat"),
    ("tldextract", ".tld_set_snapshot"),
)
LICENCE_NOTICE = "This Source Code Form is subject to the terms of the Mozilla Public"
#: Rules whose absence would mean a truncated or foreign file.
REQUIRED_RULES = {
    "com": ICANN,
    "co.uk": ICANN,
    "*.ck": ICANN,
    "!www.ck": ICANN,
    "github.io": PRIVATE,
    "vercel.app": PRIVATE,
    "herokuapp.com": PRIVATE,
}
VERSION = re.compile(r"^// VERSION: (\S+)", re.MULTILINE)


class RefreshError(Exception):
    """A reason not to replace the snapshot, printed as one line."""


def packaged_copy() -> Path:
    """The list shipped by the first installed package that has one."""
    for package, name in PACKAGED_COPIES:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            path = Path(spec.origin).with_name(name)
            if path.is_file():
                return path
    packages = " or ".join(package for package, _ in PACKAGED_COPIES)
    raise RefreshError(
        f"no list found: install {packages} (pip install publicsuffixlist), "
        "or give the path of a public_suffix_list.dat"
    )


def version(text: str) -> str:
    """The list's ``// VERSION:`` stamp (``2025-04-07_15-51-09_UTC``), or ``""``."""
    found = VERSION.search(text)
    return found.group(1) if found else ""


def check(text: str, source: Path) -> Dict[str, str]:
    """Parse ``text`` and check it is a whole list; return its rules."""
    try:
        rules = parse_rules(text)
    except ValueError as error:
        raise RefreshError(f"{source}: {error}") from None
    if LICENCE_NOTICE not in text:
        raise RefreshError(f"{source}: the MPL 2.0 licence notice is missing")
    missing = [
        rule for rule, section in REQUIRED_RULES.items() if rules.get(rule) != section
    ]
    if missing:
        raise RefreshError(f"{source}: expected rules missing: {', '.join(missing)}")
    return rules


def changes(old: Dict[str, str], new: Dict[str, str]) -> List[str]:
    """One line per section: rule counts before and after, added, removed."""
    lines = []
    for section in (ICANN, PRIVATE):
        before = {rule for rule, where in old.items() if where == section}
        after = {rule for rule, where in new.items() if where == section}
        added = sorted(after - before)
        removed = sorted(before - after)
        line = (
            f"{section}: {len(before)} -> {len(after)} rules, "
            f"{len(added)} added, {len(removed)} removed"
        )
        examples = [f"+{rule}" for rule in added[:5]]
        examples += [f"-{rule}" for rule in removed[:5]]
        if examples:
            line += f" (e.g. {' '.join(examples)})"
        lines.append(line)
    return lines


def refresh(
    source: Path, output: Path, *, dry_run: bool = False, allow_older: bool = False
) -> List[str]:
    """Replace ``output`` by ``source`` after the checks; return the report lines."""
    text = source.read_text(encoding="utf-8")
    new = check(text, source)
    old_text = output.read_text(encoding="utf-8") if output.is_file() else ""
    try:
        old = parse_rules(old_text) if old_text else {}
    except ValueError:
        old = {}  # a damaged snapshot: everything counts as added
    old_version, new_version = version(old_text), version(text)
    if not allow_older and old_version and new_version < old_version:
        raise RefreshError(
            f"{source} is older ({new_version or 'no version'}) than the snapshot "
            f"({old_version}); pass --allow-older to use it anyway"
        )
    report = [
        f"source: {source}",
        f"version: {old_version or '(none)'} -> {new_version or '(none)'}",
        *changes(old, new),
    ]
    if text == old_text:
        report.append("unchanged")
    elif dry_run:
        report.append(f"dry run: {output} not written")
    else:
        output.write_text(text, encoding="utf-8")
        report.append(f"written: {output}")
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Refresh cors_wsgi's snapshot of the Public Suffix List."
    )
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        help="a public_suffix_list.dat (default: the copy of an installed "
        "publicsuffixlist or tldextract)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=snapshot_path(),
        help="the snapshot to replace (default: %(default)s)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="report the changes, write nothing"
    )
    parser.add_argument(
        "--allow-older",
        action="store_true",
        help="accept a list whose VERSION is older than the snapshot's",
    )
    args = parser.parse_args(argv)
    try:
        source = args.source if args.source is not None else packaged_copy()
        report = refresh(
            source, args.output, dry_run=args.dry_run, allow_older=args.allow_older
        )
    except (RefreshError, OSError, UnicodeDecodeError) as error:
        print(f"refresh_public_suffix_list: {error}", file=sys.stderr)
        return 1
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
