"""The benchmark suite answers correctly before it times anything.

No timing here: each scenario's contenders are built and asked, and
cors_wsgi and the reference minimal wrapper must answer as the scenario
expects (benchmarks/run.py times them anyway, so a wrong answer would make
its figures meaningless). The targets are checked on made-up figures.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Optional

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


def probe_indices(scenario: Any) -> List[int]:
    """The first, a middle and the last request of a scenario that rotates."""
    last = len(scenario.requests) - 1
    return sorted({0, last // 2, last})


@pytest.mark.parametrize("name", scenario_names())
def test_cors_wsgi_and_the_reference_answer_every_scenario_correctly(
    run: Any, name: str
) -> None:
    """API.md, "Behaviour on the wire" 1-4: an allowed origin is echoed, a refused one
    gets no Access-Control-Allow-Origin, a refused preflight gets 403, an uncovered path
    passes through untouched; checked on the first, a middle and the last of the
    requests the benchmark times."""
    [scenario] = [s for s in run.build_scenarios() if s.name == name]
    contenders = run.build_contenders(
        scenario, {"bare", "floor", "minimal", "cors_wsgi"}
    )
    by_name = {c.name: c for c in contenders}
    bare_answer = by_name["bare"].once()
    for contender in contenders:
        for index in probe_indices(scenario):
            error = run.check(scenario, contender, bare_answer, index)
            assert error is None, (contender.name, index, error)
    assert "cors_wsgi" in by_name
    # The reference only takes the scenarios it can answer.
    can = scenario.expect in ("no_origin", "allow", "refuse") and (
        not scenario.policy.patterns and scenario.policy.resources is None
    )
    assert ("minimal" in by_name) == can


@pytest.mark.parametrize("name", scenario_names())
def test_cors_wsgi_over_flask_answers_every_scenario_correctly(
    run: Any, name: str
) -> None:
    """The bare Flask app of the flask-cors row, wrapped in cors_wsgi, gets the checks
    the peers get (Django, of the django-cors-headers row, is not a test dependency;
    run.py checks that row before timing it)."""
    [scenario] = [s for s in run.build_scenarios() if s.name == name]
    contenders = run.build_contenders(scenario, {"flask", "cors_wsgi_flask"})
    assert [c.name for c in contenders] == ["flask", "cors_wsgi_flask"]
    for contender in contenders:
        assert run.check(scenario, contender) is None, contender.name


def test_unseen_origin_scenarios_rotate_more_origins_than_are_remembered(
    run: Any,
) -> None:
    """API.md, "Origins": every entry is matched; the unseen-origin scenarios make each
    request take that path, with more distinct origins in rotation than the middleware
    remembers per policy."""
    unseen = [s for s in run.build_scenarios() if s.unseen]
    assert {s.name for s in unseen} == {
        "tenants5000",
        "unseen_match_1",
        "unseen_match_1000",
        "unseen_refused_1",
        "unseen_refused_1000",
    }
    for scenario in unseen:
        origins = [r.origin for r in scenario.requests]
        assert len(set(origins)) == len(origins) > run.ORIGIN_MEMORY


def test_the_scaling_scenarios_differ_only_in_the_policy_size(run: Any) -> None:
    """API.md, "Origins" (exact entries and ``*.`` entries): 1,000 of each against one
    of each, the same requests, the matching pattern last of the thousand."""
    scenarios = {s.name: s for s in run.build_scenarios()}
    assert scenarios["tenants5000"].policy.origins == ()
    assert scenarios["tenants5000"].policy.patterns == (run.TENANTS,)
    for many, few in run.SCALING:
        big, small = scenarios[many].policy, scenarios[few].policy
        assert scenarios[many].requests == scenarios[few].requests
        assert (len(big.origins), len(big.patterns)) == (1000, 1000)
        assert (len(small.origins), len(small.patterns)) == (1, 1)
        assert big.patterns[-1] == small.patterns[0] == run.TENANTS


def result(
    ratio: float, unseen: bool = False, rel: float = 1.0, error: Optional[str] = None
) -> Dict[str, Any]:
    """A scenario's summary as run.py makes it, reduced to what targets read."""
    row = {
        "floor_ratio": ratio,
        "overhead_ns": 500.0 * ratio,
        "overhead_rel": rel,
        "check_error": error,
    }
    return {
        "unseen": unseen,
        "floor_overhead_ns": 500.0,
        "contenders": {"cors_wsgi": row},
    }


def verdicts(run: Any, build: str, results: Dict[str, Any]) -> Dict[str, str]:
    return {
        label: verdict for label, _, verdict in run.evaluate_targets(build, results)
    }


def test_the_compiled_build_must_stay_within_a_quarter_of_the_floor(run: Any) -> None:
    """The project's targets: ≤ 1.25 × the floor where the origin is remembered, ≤ 4 ×
    for 5,000 rotating tenants; unseen origins elsewhere have no floor target of their
    own."""
    results = {
        "allowed_get": result(1.2),
        "refused_get": result(1.3),
        "tenants5000": result(3.9, unseen=True),
        "unseen_match_1": result(30.0, unseen=True),
    }
    assert verdicts(run, "compiled", results) == {
        "overhead ≤ 1.25 × floor [allowed_get]": "PASS",
        "overhead ≤ 1.25 × floor [refused_get]": "FAIL",
        "overhead ≤ 4 × floor [tenants5000]": "PASS",
        "unseen origin: unseen_match_1000 ≤ 2 × unseen_match_1 [overhead]": "n/a",
        "unseen origin: unseen_refused_1000 ≤ 2 × unseen_refused_1 [overhead]": "n/a",
    }


def test_the_pure_build_has_its_own_limits(run: Any) -> None:
    """≤ 2.75 × the floor where the origin is remembered, ≤ 8 × for the tenants, and a
    wrong answer fails its target whatever the time."""
    results = {
        "allowed_get": result(2.7),
        "no_origin": result(1.0, error="no Vary: Origin"),
        "tenants5000": result(8.5, unseen=True),
    }
    got = verdicts(run, "pure", results)
    assert got["overhead ≤ 2.75 × floor [allowed_get]"] == "PASS"
    assert got["overhead ≤ 2.75 × floor [no_origin]"] == "FAIL"
    assert got["overhead ≤ 8 × floor [tenants5000]"] == "FAIL"


def test_an_unseen_origin_may_cost_twice_as_much_under_a_thousand_entries(
    run: Any,
) -> None:
    """Overheads compared in units of the bare app timed beside each scenario."""
    results = {
        "unseen_match_1000": result(9.0, unseen=True, rel=3.9),
        "unseen_match_1": result(5.0, unseen=True, rel=2.0),
        "unseen_refused_1000": result(9.0, unseen=True, rel=4.1),
        "unseen_refused_1": result(5.0, unseen=True, rel=2.0),
    }
    got = verdicts(run, "compiled", results)
    assert got == {
        "unseen origin: unseen_match_1000 ≤ 2 × unseen_match_1 [overhead]": "PASS",
        "unseen origin: unseen_refused_1000 ≤ 2 × unseen_refused_1 [overhead]": "FAIL",
    }


def test_an_unknown_build_is_refused_before_anything_runs(
    run: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """API.md, "Compiled build": there are two builds, pure and compiled."""
    with pytest.raises(SystemExit) as exit_info:
        run.main(["--builds", "pure,turbo"])
    assert exit_info.value.code == 2
    assert "unknown build(s) turbo" in capsys.readouterr().err


def test_the_list_names_every_scenario_and_both_builds(
    run: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """API.md, "Compiled build": both builds are measured, by name."""
    assert run.main(["--list"]) == 0
    listed = capsys.readouterr().out
    for name in scenario_names():
        assert name in listed
    assert "builds: pure, compiled" in listed


def test_a_run_hands_each_process_figures_to_the_parent(
    run: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The pure build's child process times its scenario and the parent
    judges the target from the figures it hands back (the fewest rounds, no
    verdict asserted: this checks the plumbing, not the speed)."""
    out = tmp_path / "results.json"
    argv = ["--builds", "pure", "--only", "allowed_get", "--contenders"]
    argv += ["cors_wsgi", "--quick", "--rounds", "3", "--batch-ms", "0.05"]
    assert run.main([*argv, "--no-alloc", "--json", str(out)]) == 0
    printed = capfd.readouterr().out
    assert "=== pure build: cors_wsgi" in printed
    assert "overhead ≤ 2.75 × floor [allowed_get]" in printed
    document = json.loads(out.read_text())
    assert set(document["builds"]) == {"pure"}
    [target] = [
        t
        for t in document["builds"]["pure"]["targets"]
        if t["target"].endswith("[allowed_get]")
    ]
    assert target["verdict"] in ("PASS", "FAIL")


def test_the_process_reports_which_build_it_imports(run: Any) -> None:
    """``cors_wsgi.COMPILED`` (API.md, "Compiled build") is what a child process checks
    before timing the build it was started for."""
    import cors_wsgi

    info = run.describe_build()
    assert info["compiled"] is cors_wsgi.COMPILED
    assert Path(info["module_file"]).name.startswith("middleware.")


def test_the_reference_wrapper_refuses_to_merge_what_it_cannot(run: Any) -> None:
    """API.md, "Behaviour on the wire" 5: the middleware owns Access-Control-* headers;
    the reference, which cannot merge them, says so instead of answering wrongly."""
    _apps = sys.modules["_apps"]

    def app(environ: Any, start_response: Any) -> List[bytes]:
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b""]

    environ = run.make_environ(run.get(_apps.ALLOWED_ORIGIN))
    with pytest.raises(ValueError, match="cannot merge"):
        _apps.MinimalCORS(app)(environ, lambda *args: None)


def test_the_headers_app_sends_what_cors_wsgi_adds(run: Any) -> None:
    """API.md, "Behaviour on the wire" 4: an allowed actual request gains
    Access-Control-Allow-Origin and Vary: Origin, which http_bench.py's headers app
    sends by hand."""
    _apps = sys.modules["_apps"]
    environ = run.make_environ(run.get(_apps.ALLOWED_ORIGIN))
    _, with_cors, _ = run.wsgi_once(_apps.make_cors(), dict(environ))
    _, by_hand, _ = run.wsgi_once(_apps.headers, dict(environ))
    assert with_cors == by_hand
