#!/usr/bin/env python3
"""Run the whole cors_wsgi suite, as CI does.

The tests run on every supported Python (3.8 to 3.13), then lint, typing,
docs and the 100 % branch-coverage gate, through tox in parallel. At the end
the pytest summary of each Python is printed again, followed by one total line.

Usage::

    python3 scripts/test.py                       # everything
    python3 scripts/test.py -e py312,coverage     # a subset of tox envs
    python3 scripts/test.py -e py312 -- -k vary   # arguments after -- go to pytest

Any argument is passed on to ``tox run-parallel``. With pyenv, every installed
version is put on PATH first, so that tox finds python3.8 ... python3.13. If
tox is not installed, it is installed into ``.tox/.bootstrap`` from PyPI.

The browser and server suites drive Debian's Chromium and Apache httpd with
mod_wsgi. Run as root on a machine with apt-get, this script installs the
missing ones first (``--no-system-packages`` skips that); elsewhere those
suites skip, saying how to install them, unless ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# pytest's closing line, e.g. "===== 201 passed, 3 skipped in 4.20s ====="
PYTEST_SUMMARY = re.compile(r"^=+ (?P<counts>.*?\d+ \w+.*?) in [\d.]+s(?: \(.*\))? =+$")
COUNT = re.compile(r"(\d+) (\w+)")


def pyenv_path(path: str) -> str:
    """Put each pyenv version's own bin first: pyenv's shims only answer for the
    active version, and tox looks interpreters up on PATH."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = root / "versions"
    if not versions.is_dir():
        return path
    entries = path.split(os.pathsep) if path else []
    for version in sorted(versions.iterdir(), key=lambda p: p.name):
        bin_dir = str(version / "bin")
        if version.name.startswith("3.") and bin_dir not in entries:
            entries.insert(0, bin_dir)
    return os.pathsep.join(entries)


#: Debian packages the suite drives, and a file each one installs.
SYSTEM_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "apache2": "/usr/sbin/apache2",
    "libapache2-mod-wsgi-py3": "/usr/lib/apache2/modules/mod_wsgi.so",
}


def install_system_packages() -> None:
    """apt-get install the missing SYSTEM_PACKAGES, when root with apt-get."""
    missing = [
        name for name, path in SYSTEM_PACKAGES.items() if not Path(path).exists()
    ]
    if not missing or os.name != "posix" or os.geteuid() != 0:
        return
    if shutil.which("apt-get") is None:
        return
    print(f"installing Debian packages: {' '.join(missing)}", flush=True)
    # policy-rc.d keeps the apache2 package from starting a server on port 80;
    # the tests start their own on loopback.
    policy = Path("/usr/sbin/policy-rc.d")
    had_policy = policy.exists()
    if not had_policy:
        policy.write_text("#!/bin/sh\nexit 101\n", encoding="ascii")
        policy.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    finally:
        if not had_policy:
            policy.unlink()


def has_tox(python: str) -> bool:
    check = [python, "-c", "import tox"]
    return subprocess.run(check, stderr=subprocess.DEVNULL, check=False).returncode == 0


def tox_python() -> str:
    """An interpreter that can run tox: this one, or a bootstrap venv."""
    if has_tox(sys.executable):
        return sys.executable
    env_dir = ROOT / ".tox" / ".bootstrap"
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"tox is not installed; installing it into {env_dir}", flush=True)
        venv.create(env_dir, with_pip=True)
    if not has_tox(str(python)):
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "tox>=4.2"], check=True
        )
    return str(python)


def summarize(result_json: Path) -> int:
    """Print one line per tox env and the overall pytest total; return the
    number of failed tests and failed envs."""
    try:
        report = json.loads(result_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print("no tox result file was written")
        return 1
    totals: dict[str, int] = {}
    failures = 0
    print()
    print("summary")
    for name, env in report.get("testenvs", {}).items():
        result = env.get("result")
        if result is None:
            continue  # not selected, or the packaging env
        ok = bool(result.get("success", False))
        failures += not ok
        details = []
        for command in env.get("test", []):
            for line in ANSI.sub("", command.get("output", "")).splitlines():
                line = line.strip()
                match = PYTEST_SUMMARY.match(line)
                if match:
                    details.append(match.group("counts"))
                    for number, word in COUNT.findall(match.group("counts")):
                        key = "failed" if word in ("error", "errors") else word
                        totals[key] = totals.get(key, 0) + int(number)
                elif line.startswith("TOTAL "):
                    details.append("coverage " + line.split()[-1])
        status = "OK" if ok else "FAILED"
        print(f"  {name}: {status}" + (f" ({'; '.join(details)})" if details else ""))
    if not totals:
        print("no pytest summary found: no test ran")
        return failures + 1
    passed = totals.pop("passed", 0)
    failed = totals.pop("failed", 0)
    skipped = totals.pop("skipped", 0)
    rest = ", ".join(f"{n} {w}" for w, n in sorted(totals.items()))
    note = f": {rest}" if rest else ""
    print(f"  (test counts are summed over every Python that ran{note})")
    line = f"total: {passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    if failures:
        # An env can fail without a failed test: killed, or a non-test command.
        line += f"; {failures} tox env{'s' if failures > 1 else ''} FAILED (above)"
    print(line)
    return failures + failed


def main(argv: list[str]) -> int:
    if "--no-system-packages" in argv:
        argv = [arg for arg in argv if arg != "--no-system-packages"]
    else:
        install_system_packages()
    env = dict(os.environ)
    env["PATH"] = pyenv_path(env.get("PATH", ""))
    result_json = ROOT / ".tox" / "result.json"
    result_json.parent.mkdir(exist_ok=True)
    if result_json.exists():
        result_json.unlink()
    command = [tox_python(), "-m", "tox", "run-parallel", "--parallel", "auto"]
    if not sys.stdout.isatty():
        # The progress spinner only makes sense on a terminal, not in CI logs.
        command.append("--parallel-no-spinner")
    command += ["--result-json", str(result_json), *argv]
    print("+ python -m " + " ".join(command[2:]), flush=True)
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    problems = summarize(result_json)
    if code == 0 and problems:
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
