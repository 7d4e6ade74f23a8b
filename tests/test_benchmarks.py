"""The benchmark suite answers correctly before it times anything.

No timing here: each scenario's contenders are built and asked once, and
cors_wsgi and the reference minimal wrapper must answer as the scenario
expects (benchmarks/run.py times them anyway, so a wrong answer would make
its figures meaningless).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, List

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def import_run() -> ModuleType:
    """benchmarks/run.py (which imports benchmarks/_apps.py) as a module."""
    if not (BENCHMARKS / "run.py").exists():  # pragma: no cover  (sdist without it)
        pytest.fail("benchmarks/run.py is missing from this checkout")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("run")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def run() -> ModuleType:
    return import_run()


def scenario_names() -> List[str]:
    return [s.name for s in import_run().build_scenarios()]


@pytest.mark.parametrize("name", scenario_names())
def test_cors_wsgi_and_the_reference_answer_every_scenario_correctly(
    run: Any, name: str
) -> None:
    [scenario] = [s for s in run.build_scenarios() if s.name == name]
    contenders = run.build_contenders(
        scenario, {"bare", "floor", "minimal", "cors_wsgi"}
    )
    by_name = {c.name: c for c in contenders}
    bare_answer = by_name["bare"].once()
    for contender in contenders:
        assert run.check(scenario, contender, bare_answer) is None, contender.name
    assert "cors_wsgi" in by_name
    # The reference only takes the scenarios it can answer.
    can = scenario.expect in ("no_origin", "allow", "refuse") and (
        scenario.policy.wildcard is None and scenario.policy.resources is None
    )
    assert ("minimal" in by_name) == can


@pytest.mark.parametrize("name", scenario_names())
def test_cors_wsgi_over_flask_answers_every_scenario_correctly(
    run: Any, name: str
) -> None:
    # The bare Flask app of the flask-cors row, wrapped in cors_wsgi, gets the
    # checks the peers get. (Django, of the django-cors-headers row, is not a
    # test dependency; run.py checks that row before timing it.)
    [scenario] = [s for s in run.build_scenarios() if s.name == name]
    contenders = run.build_contenders(scenario, {"flask", "cors_wsgi_flask"})
    assert [c.name for c in contenders] == ["flask", "cors_wsgi_flask"]
    for contender in contenders:
        assert run.check(scenario, contender) is None, contender.name


def test_the_reference_wrapper_refuses_to_merge_what_it_cannot(run: Any) -> None:
    _apps = sys.modules["_apps"]

    def app(environ: Any, start_response: Any) -> List[bytes]:
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b""]

    environ = run.make_environ(run.get(_apps.ALLOWED_ORIGIN))
    with pytest.raises(ValueError, match="cannot merge"):
        _apps.MinimalCORS(app)(environ, lambda *args: None)


def test_the_headers_app_sends_what_cors_wsgi_adds(run: Any) -> None:
    _apps = sys.modules["_apps"]
    environ = run.make_environ(run.get(_apps.ALLOWED_ORIGIN))
    _, with_cors, _ = run.wsgi_once(_apps.make_cors(), dict(environ))
    _, by_hand, _ = run.wsgi_once(_apps.headers, dict(environ))
    assert with_cors == by_hand
