"""The bench's goals are written once: bench/targets.py, whose table bench/README.md carries."""

from pathlib import Path

import pytest

from bench.targets import TARGETS, Goal, goals_markdown

ROOT = Path(__file__).parents[2]


def test_bench_readme_carries_the_targets_table():
    assert goals_markdown() in (ROOT / "bench" / "README.md").read_text(), (
        "bench/README.md's targets table differs from bench/targets.py: paste `python -m bench.targets` there"
    )


@pytest.mark.parametrize(
    ("goal", "value", "met"),
    [
        (Goal("<=", 1.0), 1.0, True),
        (Goal("<=", 1.0), 1.01, False),
        (Goal(">=", 1.6), 1.59, False),
        (Goal("<", 30), 30, False),
    ],
)
def test_a_goal_is_met_on_its_side_of_the_limit(goal, value, met):
    assert goal.met(value) is met


@pytest.mark.parametrize(("ratio", "verdict"), [(0.99, "pass"), (1.01, "FAIL")])
def test_a_rows_verdict_follows_its_targets_goal(ratio, verdict):
    overhead = {
        "budget_ratio": ratio,
        "upload_to_ready_ms": 150,
        "pipeline_ms": 72,
        "budget_ms": 80,
        "upload_request_ms": 35,
        "response_to_start_ms": 1,
        "start_to_ready_ms": 94,
    }
    queue_overhead = next(t for t in TARGETS if t.number == 2)
    first, *_ = queue_overhead.rows({"stack": {"overhead": overhead}})
    assert first[3] == f"{ratio:.2f} (<= 1.00)"
    assert first[4] == verdict
