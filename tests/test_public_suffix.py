"""The Public Suffix List snapshot and its look-ups.

The algorithm is the list's: https://github.com/publicsuffix/list/wiki/Format.
API.md ("ConfigurationError is raised for") refuses, with credentials, a
``*.`` entry whose base is a public suffix, judged by this list.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import pytest

from cors_wsgi._core import public_suffix as psl
from cors_wsgi._core.public_suffix import (
    ICANN,
    PRIVATE,
    build_rules,
    is_public_suffix,
    load_rules,
    parse_rules,
    public_suffix,
    snapshot_path,
    to_ascii,
)

ROOT = Path(__file__).resolve().parent.parent
REFRESH = ROOT / "scripts" / "refresh_public_suffix_list.py"
SNAPSHOT = snapshot_path()

MINIMAL_LIST = """\
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// VERSION: {version}

// ===BEGIN ICANN DOMAINS===
com
co.uk
*.ck
!www.ck
{extra_icann}
// ===END ICANN DOMAINS===

// ===BEGIN PRIVATE DOMAINS===
github.io
vercel.app
herokuapp.com
// ===END PRIVATE DOMAINS===
"""


def minimal_list(version: str = "2030-01-01_00-00-00_UTC", extra: str = "") -> str:
    return MINIMAL_LIST.format(version=version, extra_icann=extra)


# The snapshot itself.


def test_snapshot_parses_into_thousands_of_rules() -> None:
    """The shipped list is whole: the real list has well over 5000 rules."""
    rules = parse_rules(SNAPSHOT.read_text(encoding="utf-8"))
    assert len(rules) > 5000


def test_snapshot_has_both_sections() -> None:
    """Both the ICANN and the PRIVATE sections count (the list's Format page)."""
    rules = parse_rules(SNAPSHOT.read_text(encoding="utf-8"))
    assert sum(section == ICANN for section in rules.values()) > 5000
    assert sum(section == PRIVATE for section in rules.values()) > 1000
    assert rules["co.uk"] == ICANN
    assert rules["github.io"] == PRIVATE


def test_snapshot_keeps_the_mpl_licence_notice() -> None:
    """The list is under the MPL 2.0, whose notice must travel with the file."""
    head = SNAPSHOT.read_text(encoding="utf-8")[:400]
    assert "This Source Code Form is subject to the terms of the Mozilla Public" in head
    assert "https://mozilla.org/MPL/2.0/" in head


def test_snapshot_is_loaded_once() -> None:
    """Look-ups happen while policies are built: the file is read only once."""
    assert load_rules() is load_rules()


# is_public_suffix: the cases the middleware relies on.


@pytest.mark.parametrize(
    "domain",
    [
        pytest.param("com", id="icann-tld"),
        pytest.param("co.uk", id="icann-second-level"),
        pytest.param("github.io", id="private-github-pages"),
        pytest.param("vercel.app", id="private-vercel"),
        pytest.param("herokuapp.com", id="private-heroku"),
        pytest.param("anything.ck", id="wildcard-rule"),
        pytest.param("x.kobe.jp", id="wildcard-rule-third-level"),
        pytest.param("localhost", id="unlisted-single-label"),
        pytest.param("example", id="reserved-tld-example"),
        pytest.param("test", id="reserved-tld-test"),
        pytest.param("invalid", id="reserved-tld-invalid"),
        pytest.param("internal", id="private-use-tld"),
        pytest.param("COM", id="upper-case"),
        pytest.param("co.uk.", id="trailing-dot"),
        pytest.param("xn--55qx5d.cn", id="idn-punycode"),
        pytest.param("公司.cn", id="idn-unicode"),
        pytest.param("xn--fiqs8s", id="idn-tld-punycode"),
    ],
)
def test_public_suffixes_are_recognised(domain: str) -> None:
    """Anyone can register a name under each (API.md: refused with credentials)."""
    assert is_public_suffix(domain)


@pytest.mark.parametrize(
    "domain",
    [
        pytest.param("example.com", id="registrable-domain"),
        pytest.param("a.example.com", id="subdomain"),
        pytest.param("a.github.io", id="site-under-private-suffix"),
        pytest.param("www.ck", id="exception-rule"),
        pytest.param("city.kobe.jp", id="exception-rule-third-level"),
        pytest.param("foo.localhost", id="name-under-unlisted-tld"),
        pytest.param("example.test", id="name-under-reserved-tld"),
        pytest.param("xn--85x722f.xn--55qx5d.cn", id="idn-registrable"),
    ],
)
def test_registrable_names_are_not_public_suffixes(domain: str) -> None:
    """``https://*.example.com`` stays allowed: example.com is nobody else's."""
    assert not is_public_suffix(domain)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        pytest.param("a.b.example.co.uk", "co.uk", id="longest-rule-wins"),
        pytest.param("a.b.c.ck", "c.ck", id="wildcard"),
        pytest.param("a.www.ck", "ck", id="exception-beats-wildcard"),
        pytest.param("a.github.io", "github.io", id="private"),
        pytest.param("a.localhost", "localhost", id="default-rule"),
        pytest.param("WWW.Example.COM.", "com", id="case-and-trailing-dot"),
    ],
)
def test_public_suffix_follows_the_list_algorithm(domain: str, expected: str) -> None:
    """The most specific rule prevails, an exception rule over all others."""
    assert public_suffix(domain) == expected


@pytest.mark.parametrize("domain", ["", ".", ".com", "a..b", "example.com.."])
def test_names_with_an_empty_label_are_refused(domain: str) -> None:
    """A host name has no empty label (RFC 1034 section 3.1)."""
    with pytest.raises(ValueError, match="empty label"):
        public_suffix(domain)


# The list project's own test vectors (tests/test_psl.txt of the publicsuffix
# list repository, dedicated to the public domain under CC0 1.0):
# checkPublicSuffix(domain, registrable domain or null).
OFFICIAL_VECTORS = [
    ("COM", None),
    ("example.COM", "example.com"),
    ("WwW.example.COM", "example.com"),
    ("example", None),
    ("example.example", "example.example"),
    ("b.example.example", "example.example"),
    ("a.b.example.example", "example.example"),
    ("biz", None),
    ("domain.biz", "domain.biz"),
    ("b.domain.biz", "domain.biz"),
    ("a.b.domain.biz", "domain.biz"),
    ("com", None),
    ("example.com", "example.com"),
    ("b.example.com", "example.com"),
    ("a.b.example.com", "example.com"),
    ("uk.com", None),
    ("example.uk.com", "example.uk.com"),
    ("b.example.uk.com", "example.uk.com"),
    ("a.b.example.uk.com", "example.uk.com"),
    ("test.ac", "test.ac"),
    ("mm", None),
    ("c.mm", None),
    ("b.c.mm", "b.c.mm"),
    ("a.b.c.mm", "b.c.mm"),
    ("jp", None),
    ("test.jp", "test.jp"),
    ("www.test.jp", "test.jp"),
    ("ac.jp", None),
    ("test.ac.jp", "test.ac.jp"),
    ("www.test.ac.jp", "test.ac.jp"),
    ("kyoto.jp", None),
    ("test.kyoto.jp", "test.kyoto.jp"),
    ("ide.kyoto.jp", None),
    ("b.ide.kyoto.jp", "b.ide.kyoto.jp"),
    ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"),
    ("c.kobe.jp", None),
    ("b.c.kobe.jp", "b.c.kobe.jp"),
    ("a.b.c.kobe.jp", "b.c.kobe.jp"),
    ("city.kobe.jp", "city.kobe.jp"),
    ("www.city.kobe.jp", "city.kobe.jp"),
    ("ck", None),
    ("test.ck", None),
    ("b.test.ck", "b.test.ck"),
    ("a.b.test.ck", "b.test.ck"),
    ("www.ck", "www.ck"),
    ("www.www.ck", "www.ck"),
    ("us", None),
    ("test.us", "test.us"),
    ("www.test.us", "test.us"),
    ("ak.us", None),
    ("test.ak.us", "test.ak.us"),
    ("www.test.ak.us", "test.ak.us"),
    ("k12.ak.us", None),
    ("test.k12.ak.us", "test.k12.ak.us"),
    ("www.test.k12.ak.us", "test.k12.ak.us"),
    ("食狮.com.cn", "食狮.com.cn"),
    ("食狮.公司.cn", "食狮.公司.cn"),
    ("www.食狮.公司.cn", "食狮.公司.cn"),
    ("shishi.公司.cn", "shishi.公司.cn"),
    ("公司.cn", None),
    ("食狮.中国", "食狮.中国"),
    ("www.食狮.中国", "食狮.中国"),
    ("shishi.中国", "shishi.中国"),
    ("中国", None),
    ("xn--85x722f.com.cn", "xn--85x722f.com.cn"),
    ("xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"),
    ("xn--55qx5d.cn", None),
    ("xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("shishi.xn--fiqs8s", "shishi.xn--fiqs8s"),
    ("xn--fiqs8s", None),
]


@pytest.mark.parametrize(("domain", "registrable"), OFFICIAL_VECTORS)
def test_official_test_vectors_pass(domain: str, registrable: Optional[str]) -> None:
    """The list's own checkPublicSuffix vectors: null means a public suffix."""
    if registrable is None:
        assert is_public_suffix(domain)
    else:
        assert not is_public_suffix(domain)
        assert public_suffix(domain) == registrable.split(".", 1)[1]


# IDN rules: stored in Unicode and in punycode.


def test_every_idn_rule_is_stored_in_punycode_too() -> None:
    """Browsers send A-labels (RFC 5891 section 4.4), the list writes U-labels."""
    rules = parse_rules(SNAPSHOT.read_text(encoding="utf-8"))
    idn = [rule for rule in rules if not rule.isascii()]
    assert len(idn) > 100
    compiled = load_rules()
    for rule in idn:
        ascii_form = to_ascii(rule)
        assert ascii_form.isascii()
        if rule.startswith("!"):
            assert ascii_form[1:] in compiled.exception
        elif rule.startswith("*."):
            assert ascii_form[2:] in compiled.wildcard
        else:
            assert ascii_form in compiled.normal
            assert is_public_suffix(ascii_form)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("公司.cn", "xn--55qx5d.cn"),
        ("*.食狮.中国", "*.xn--85x722f.xn--fiqs8s"),
        ("!www.ck", "!www.ck"),
        ("example.com", "example.com"),
    ],
)
def test_to_ascii_converts_each_non_ascii_label(domain: str, expected: str) -> None:
    """Each U-label becomes "xn--" and its punycode (RFC 3492), as IDNA does."""
    assert to_ascii(domain) == expected
    assert to_ascii(domain) == domain.encode("idna").decode()


def test_build_rules_sorts_rules_by_kind_in_both_forms() -> None:
    """Normal, wildcard (``*.``) and exception (``!``) rules (the Format page)."""
    rules = build_rules({"com": ICANN, "*.公司.cn": ICANN, "!www.ck": PRIVATE})
    assert rules.normal == {"com"}
    assert rules.wildcard == {"公司.cn", "xn--55qx5d.cn"}
    assert rules.exception == {"www.ck"}


# parse_rules: the format.


def test_parse_keeps_rules_with_their_sections() -> None:
    """Comments and blank lines are skipped; each rule notes its section."""
    rules = parse_rules(minimal_list(extra="  net   trailing text ignored\n"))
    assert rules == {
        "com": ICANN,
        "co.uk": ICANN,
        "*.ck": ICANN,
        "!www.ck": ICANN,
        "net": ICANN,
        "github.io": PRIVATE,
        "vercel.app": PRIVATE,
        "herokuapp.com": PRIVATE,
    }


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param("a..b", id="empty-label"),
        pytest.param(".com", id="leading-dot"),
        pytest.param("*", id="bare-wildcard"),
        pytest.param("*.*.ck", id="two-wildcards"),
        pytest.param("a.*.ck", id="inner-wildcard"),
        pytest.param("a*.ck", id="partial-wildcard"),
        pytest.param("!ck", id="exception-of-one-label"),
        pytest.param("!*.ck", id="exception-with-wildcard"),
        pytest.param("a.!ck", id="inner-exclamation-mark"),
    ],
)
def test_parse_refuses_malformed_rules(rule: str) -> None:
    """Wildcards are whole left-most labels, "!" starts a rule (the Format page)."""
    with pytest.raises(ValueError, match="not a well-formed rule"):
        parse_rules(minimal_list(extra=rule))


def test_parse_refuses_rules_outside_a_section() -> None:
    """Every rule belongs to the ICANN or the PRIVATE section."""
    with pytest.raises(ValueError, match=r"line 1: rule 'com' is outside a section"):
        parse_rules("com\n" + minimal_list())


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        pytest.param(
            "// ===BEGIN PRIVATE DOMAINS===\ngithub.io\n// ===END PRIVATE DOMAINS===\n",
            ICANN,
            id="no-icann",
        ),
        pytest.param(
            "// ===BEGIN ICANN DOMAINS===\ncom\n// ===END ICANN DOMAINS===\n",
            PRIVATE,
            id="no-private",
        ),
    ],
)
def test_parse_refuses_a_list_without_a_section(text: str, missing: str) -> None:
    """A list missing a section is truncated: both sections count."""
    with pytest.raises(ValueError, match=f"the {missing} section is missing"):
        parse_rules(text)


def test_snapshot_path_is_beside_the_module() -> None:
    """Read with a plain path, so it works from any unpacked install."""
    assert Path(psl.__file__).parent == SNAPSHOT.parent
    assert SNAPSHOT.is_file()


# scripts/refresh_public_suffix_list.py


def run_refresh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REFRESH), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_refresh_reports_counts_and_writes_the_new_list(tmp_path: Path) -> None:
    """The refresh script copies a newer list and prints the changes per section."""
    output = write(tmp_path / "snapshot.dat", minimal_list("2030-01-01_00-00-00_UTC"))
    source = write(tmp_path / "new.dat", minimal_list("2031-01-01_00-00-00_UTC", "net"))
    result = run_refresh(str(source), "--output", str(output))
    assert result.returncode == 0, result.stderr
    lines: List[str] = result.stdout.splitlines()
    assert "version: 2030-01-01_00-00-00_UTC -> 2031-01-01_00-00-00_UTC" in lines
    assert "ICANN: 4 -> 5 rules, 1 added, 0 removed (e.g. +net)" in lines
    assert "PRIVATE: 3 -> 3 rules, 0 added, 0 removed" in lines
    assert output.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")


def test_refresh_dry_run_writes_nothing(tmp_path: Path) -> None:
    """--dry-run only reports."""
    output = write(tmp_path / "snapshot.dat", minimal_list("2030-01-01_00-00-00_UTC"))
    source = write(tmp_path / "new.dat", minimal_list("2031-01-01_00-00-00_UTC", "net"))
    result = run_refresh(str(source), "--output", str(output), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "not written" in result.stdout
    assert "net" not in output.read_text(encoding="utf-8")


def test_refresh_says_unchanged_for_the_same_list(tmp_path: Path) -> None:
    """Refreshing from the shipped snapshot itself changes nothing."""
    output = write(tmp_path / "snapshot.dat", SNAPSHOT.read_text(encoding="utf-8"))
    result = run_refresh(str(SNAPSHOT), "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "unchanged"


def test_refresh_refuses_an_older_list(tmp_path: Path) -> None:
    """A stale package's copy never replaces a newer snapshot unasked."""
    output = write(tmp_path / "snapshot.dat", minimal_list("2031-01-01_00-00-00_UTC"))
    source = write(tmp_path / "old.dat", minimal_list("2030-01-01_00-00-00_UTC", "net"))
    result = run_refresh(str(source), "--output", str(output))
    assert result.returncode == 1
    assert "older" in result.stderr and "--allow-older" in result.stderr
    result = run_refresh(str(source), "--output", str(output), "--allow-older")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(minimal_list(extra="a..b"), "not a well-formed rule", id="parse"),
        pytest.param(
            minimal_list().replace("github.io\n", ""),
            "expected rules missing: github.io",
            id="truncated",
        ),
        pytest.param(
            minimal_list().replace("Mozilla Public", "Other"),
            "licence notice is missing",
            id="licence",
        ),
    ],
)
def test_refresh_refuses_a_bad_list(tmp_path: Path, text: str, message: str) -> None:
    """A list that does not parse or lacks known rules never becomes the snapshot."""
    output = write(tmp_path / "snapshot.dat", minimal_list())
    source = write(tmp_path / "bad.dat", text)
    result = run_refresh(str(source), "--output", str(output))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert output.read_text(encoding="utf-8") == minimal_list()


def test_refresh_reports_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    """Bad input gets a clear message, never a traceback."""
    result = run_refresh(str(tmp_path / "missing.dat"), "--dry-run")
    assert result.returncode == 1
    assert "missing.dat" in result.stderr
    assert "Traceback" not in result.stderr
