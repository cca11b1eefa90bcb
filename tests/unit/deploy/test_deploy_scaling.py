"""The worker group's backlog target: AWS's acceptable-wait arithmetic, and the template's default."""

import pytest

from photoshare_deploy import scaling, template
from photoshare_deploy.errors import DeployError

TEMPLATE = template.load()


@pytest.mark.parametrize(
    ("wait_s", "per_job_s", "at_once", "target"),
    [
        (60, 0.5, 2, 240),  # the defaults: 120 jobs in a minute per process, two processes
        (30, 1.5, 2, 40),
        (10, 3, 1, 3),  # 3.33 jobs: a fourth would start after the wait
        (1, 5, 1, 1),  # a job longer than the wait: still one per instance, never zero
        (300, 0.25, 4, 4800),
    ],
)
def test_backlog_per_instance_is_the_jobs_that_start_within_the_wait(wait_s, per_job_s, at_once, target):
    assert scaling.backlog_per_instance(wait_s, per_job_s, at_once) == target


@pytest.mark.parametrize(("wait_s", "per_job_s", "at_once"), [(0, 1, 1), (60, 0, 2), (60, -1, 2), (60, 1, 0)])
def test_figures_that_make_no_target_are_refused(wait_s, per_job_s, at_once):
    with pytest.raises(DeployError, match="above 0"):
        scaling.backlog_per_instance(wait_s, per_job_s, at_once)


def test_the_templates_default_target_comes_from_the_documented_figures():
    default = int(TEMPLATE["Parameters"]["WorkerBacklogTarget"]["Default"])
    assert default == scaling.worker_backlog_target(None, None)
    assert default == scaling.backlog_per_instance(
        scaling.ACCEPTABLE_WAIT_S, scaling.SECONDS_PER_JOB, scaling.worker_concurrency()
    )
    assert scaling.worker_concurrency() == 2  # compose.yaml's worker command


@pytest.mark.parametrize(
    ("depth", "expected"),
    [(0, 1), (240, 1), (241, 2), (1000, 5), (5000, 10)],  # min 1, max 10, target 240
)
def test_target_tracking_settles_on_depth_over_target_within_the_groups_bounds(depth, expected):
    assert scaling.instances_needed(depth, 240, in_service_min=1, in_service_max=10) == expected


def test_the_policy_divides_the_queue_by_the_instances_in_service():
    policy = TEMPLATE["Resources"]["WorkerScaling"]["Properties"]["TargetTrackingConfiguration"]
    assert policy["TargetValue"] == {"Ref": "WorkerBacklogTarget"}
    metrics = {m["Id"]: m for m in policy["CustomizedMetricSpecification"]["Metrics"]}
    [returned] = [m for m in metrics.values() if m["ReturnData"]]
    assert returned["Expression"] == "depth / inservice"
    assert metrics["depth"]["MetricStat"]["Metric"]["MetricName"] == "QueueDepth"
    inservice = metrics["inservice"]["MetricStat"]["Metric"]
    assert (inservice["Namespace"], inservice["MetricName"]) == ("AWS/AutoScaling", "GroupInServiceInstances")
    assert inservice["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": {"Ref": "WorkerGroup"}}]
    # The divisor exists only with group metrics on, and is never zero.
    group = TEMPLATE["Resources"]["WorkerGroup"]["Properties"]
    assert group["MetricsCollection"] == [{"Granularity": "1Minute"}]
    assert TEMPLATE["Parameters"]["WorkerMinSize"]["MinValue"] >= 1
