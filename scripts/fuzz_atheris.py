"""Coverage-guided fuzzing of cors_wsgi with atheris (libFuzzer for Python).

Three targets, picked by the first byte of each input:

- the request path: raw bytes, decoded as latin-1 as a WSGI server decodes
  them, in ``Origin``, ``Access-Control-Request-Method``,
  ``Access-Control-Request-Headers``, ``Access-Control-Request-Private-Network``
  and ``PATH_INFO``, under ``wsgiref.validate``, for several policies: no
  exception, no 5xx, Allow-Origin only ``*`` or the request's own valid
  serialized origin (API.md rule 7);
- ``CORSMiddleware.from_config`` with arbitrary strings: only ConfigurationError;
- ``parse_header_list`` against the naive reference parser of
  ``tests/test_fuzz.py``.

Bounded runs (from the checkout; ``pip install atheris`` first)::

    python3 scripts/fuzz_atheris.py -atheris_runs=200000
    python3 scripts/fuzz_atheris.py -max_total_time=600 CORPUS_DIR

A crash prints the input and writes it to ``crash-*``; replay it with
``python3 scripts/fuzz_atheris.py crash-FILE``.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from pathlib import Path
from typing import Any

# Imported by name: atheris ships no type information.
atheris: Any = importlib.import_module("atheris")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports():
    from cors_wsgi import ConfigurationError, CORSMiddleware
    from cors_wsgi._core.http import parse_header_list
    from cors_wsgi._core.options import OPTION_NAMES

from tests.support.environ import plain_environ  # noqa: E402
from tests.test_fuzz import (  # noqa: E402
    MIDDLEWARES,
    SERIALIZED_ORIGIN,
    call,
    echo_app,
    reference_parse,
)

POLICY_NAMES = sorted(MIDDLEWARES)
FIELDS = (
    "HTTP_ORIGIN",
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
    "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK",
)
METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE")


def latin_1(data: Any, size: int) -> str:
    return str(data.ConsumeBytes(data.ConsumeIntInRange(0, size)).decode("latin-1"))


def fuzz_request(data: Any) -> None:
    policy = POLICY_NAMES[data.ConsumeIntInRange(0, len(POLICY_NAMES) - 1)]
    method = METHODS[data.ConsumeIntInRange(0, len(METHODS) - 1)]
    environ = plain_environ(method, "/" + latin_1(data, 40))
    for field in FIELDS:
        if data.ConsumeBool():
            environ[field] = latin_1(data, 120)
    status, headers = call(MIDDLEWARES[policy], environ)
    assert int(status[:3]) < 500, status
    for name, value in headers:
        if name.lower() == "access-control-allow-origin" and value != "*":
            assert value == environ.get("HTTP_ORIGIN"), (value, environ)
            assert value == "null" or SERIALIZED_ORIGIN.fullmatch(value), value


def fuzz_config(data: Any) -> None:
    config = {}
    for _ in range(data.ConsumeIntInRange(0, 4)):
        name = OPTION_NAMES[data.ConsumeIntInRange(0, len(OPTION_NAMES) - 1)]
        config[name] = data.ConsumeUnicodeNoSurrogates(40)
    with contextlib.suppress(ConfigurationError):
        CORSMiddleware.from_config(echo_app, config)


def fuzz_header_list(data: Any) -> None:
    value = latin_1(data, 9000)
    assert parse_header_list(value) == reference_parse(value), value


TARGETS = (fuzz_request, fuzz_config, fuzz_header_list)


def test_one_input(raw: bytes) -> None:
    data = atheris.FuzzedDataProvider(raw)
    TARGETS[data.ConsumeIntInRange(0, len(TARGETS) - 1)](data)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
