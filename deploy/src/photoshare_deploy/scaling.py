"""The worker group's scaling target: how many waiting jobs per instance are acceptable.

AWS's rule for fleets that work off a queue: an instance clears its share of the backlog within
the acceptable wait when that share is at most

    acceptable wait / time per job x jobs it runs at once.

Target tracking then keeps QueueDepth / GroupInServiceInstances (metric math in the template's
WorkerScaling policy) near that number, adding instances as the backlog grows and removing them as
it shrinks. Measure the time per job on the deployed stack (ProcessingTimeP50 on the dashboard)
and redeploy with it: `photoshare-deploy up --seconds-per-job S`.
"""

import math
from pathlib import Path

import yaml

from photoshare_deploy.errors import DeployError

# The worker's command line is the one place its concurrency is written.
COMPOSE_PATH = Path(__file__).resolve().parents[3] / "compose.yaml"

# The defaults the template's WorkerBacklogTarget was computed from (a unit test holds them equal).
ACCEPTABLE_WAIT_S = 60.0
# A 12-24 MP photo: ~0.1 s of rendering (bench/README.md) plus S3 and DynamoDB round trips and the
# upload's size; 0.5 s is the conservative figure until the stack's own ProcessingTimeP50 says otherwise.
SECONDS_PER_JOB = 0.5


def backlog_per_instance(acceptable_wait_s: float, seconds_per_job: float, jobs_at_once: int) -> int:
    """Jobs waiting per worker instance that still start within the acceptable wait (at least 1)."""
    if acceptable_wait_s <= 0 or seconds_per_job <= 0 or jobs_at_once < 1:
        raise DeployError(
            "the acceptable wait and the seconds per job must be above 0, and jobs at once at least 1 "
            f"(got {acceptable_wait_s:g} s, {seconds_per_job:g} s, {jobs_at_once})"
        )
    return max(1, math.floor(acceptable_wait_s / seconds_per_job * jobs_at_once))


def instances_needed(queue_depth: int, target: int, in_service_min: int, in_service_max: int) -> int:
    """How many workers target tracking settles on for this backlog: ceil(depth / target), within the group's bounds."""
    return min(in_service_max, max(in_service_min, math.ceil(queue_depth / target)))


def worker_concurrency(compose_path: Path = COMPOSE_PATH) -> int:
    """Jobs one worker instance runs at once: the worker service's --concurrency in compose.yaml."""
    command = yaml.safe_load(compose_path.read_text())["services"]["worker"]["command"]
    return int(command[command.index("--concurrency") + 1])


def worker_backlog_target(acceptable_wait_s: float | None, seconds_per_job: float | None) -> int:
    """The template's WorkerBacklogTarget for these figures (each defaulting to the one above)."""
    wait = ACCEPTABLE_WAIT_S if acceptable_wait_s is None else acceptable_wait_s
    per_job = SECONDS_PER_JOB if seconds_per_job is None else seconds_per_job
    return backlog_per_instance(wait, per_job, worker_concurrency())
