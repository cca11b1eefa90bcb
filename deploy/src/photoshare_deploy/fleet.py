"""What `status` and `smoke` read of a running stack: alarm states, instances in service, the
backlog the metrics publisher last sent, and the load balancer's view of the web."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from photoshare_deploy.errors import DeployError

NAMESPACE = "Photoshare"  # photoshare_shared.cloudmetrics.NAMESPACE (the deploy tool does not import the app)
BACKLOG_METRICS = ("QueueDepth", "OldestQueuedAge")
GROUP_OUTPUTS = ("WebGroupName", "WorkerGroupName", "BeatGroupName")


def alarm_states(cloudwatch: Any, stack_name: str) -> list[tuple[str, str]]:
    """(alarm name, state) of the stack's alarms (all named "<stack>-..."), ALARM first."""
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{stack_name}-")
    alarms = [(a["AlarmName"], a["StateValue"]) for page in pages for a in page["MetricAlarms"]]
    order = {"ALARM": 0, "INSUFFICIENT_DATA": 1, "OK": 2}
    return sorted(alarms, key=lambda alarm: (order.get(alarm[1], 3), alarm[0]))


def group_counts(autoscaling: Any, outputs: dict[str, str]) -> list[tuple[str, int, int, int, int]]:
    """(group, in service, desired, min, max) for each Auto Scaling group of a scaled stack."""
    names = [outputs[key] for key in GROUP_OUTPUTS if key in outputs]
    if not names:
        return []
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=names)["AutoScalingGroups"]
    by_name = {group["AutoScalingGroupName"]: group for group in groups}
    counts = []
    for name in names:
        group = by_name.get(name)
        if group is None:
            continue
        in_service = sum(1 for i in group.get("Instances", []) if i["LifecycleState"] == "InService")
        counts.append((name, in_service, group["DesiredCapacity"], group["MinSize"], group["MaxSize"]))
    return counts


def backlog(cloudwatch: Any, stack_name: str, now: datetime | None = None) -> dict[str, float | None]:
    """The latest QueueDepth and OldestQueuedAge sent within 10 minutes (None: nothing sent)."""
    now = now or datetime.now(UTC)
    latest: dict[str, float | None] = {}
    for name in BACKLOG_METRICS:
        points = cloudwatch.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName=name,
            Dimensions=[{"Name": "Stack", "Value": stack_name}],
            StartTime=now - timedelta(minutes=10),
            EndTime=now + timedelta(minutes=1),
            Period=60,
            Statistics=["Maximum"],
        )["Datapoints"]
        newest = max(points, key=lambda point: point["Timestamp"], default=None)
        latest[name] = newest["Maximum"] if newest else None
    return latest


def target_health(elbv2: Any, target_group_arn: str) -> Counter[str]:
    """How many of the load balancer's web targets are in each state (healthy, unhealthy, ...)."""
    described = elbv2.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]
    return Counter(target["TargetHealth"]["State"] for target in described)


def require_healthy_targets(elbv2: Any, target_group_arn: str) -> str:
    """A one-line summary when every web target is healthy; otherwise an error saying what is not."""
    states = target_health(elbv2, target_group_arn)
    summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items())) or "no targets"
    if not states or set(states) != {"healthy"}:
        raise DeployError(f"the load balancer's web targets are not all healthy: {summary}")
    return summary
