"""The scaled topology against moto in-process: up, status, smoke's target check and down."""

from typing import Any

import pytest
from deploy_run import client, outputs, run
from moto_cfn_shims import ElastiCacheParameterGroup, ElastiCacheReplicationGroup

from photoshare_deploy import cli, stack

STACK = "ps-scaled"


def up_scaled(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    argv = ["up", "--stack", STACK, "--poll", "0", "--param", "Topology=scaled", *extra]
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, ""), out
    return out


def test_up_scaled_makes_the_groups_load_balancer_and_broker(aws: None, capsys: pytest.CaptureFixture[str]):
    out = up_scaled(capsys, "--param", "AlarmEmail=ops@example.com")
    got = outputs(STACK)
    assert "InstanceId" not in got and got["Topology"] == "scaled"
    groups = client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[got["WebGroupName"], got["WorkerGroupName"], got["BeatGroupName"]]
    )["AutoScalingGroups"]
    sizes = {g["AutoScalingGroupName"]: (g["MinSize"], g["MaxSize"]) for g in groups}
    assert sizes == {f"{STACK}-web": (2, 6), f"{STACK}-workers": (1, 10), f"{STACK}-beat": (1, 1)}
    # The groups span the default VPC's subnets in every zone (photoshare-deploy found them).
    zones = {s["SubnetId"]: s["AvailabilityZone"] for s in client("ec2").describe_subnets()["Subnets"]}
    for group in groups:
        assert len({zones[s] for s in group["VPCZoneIdentifier"].split(",")}) >= 2
    [balancer] = client("elbv2").describe_load_balancers()["LoadBalancers"]
    assert balancer["Scheme"] == "internal"
    [target_group] = client("elbv2").describe_target_groups(TargetGroupArns=[got["TargetGroupArn"]])["TargetGroups"]
    assert (target_group["HealthCheckPath"], target_group["Port"]) == ("/healthz", 80)

    policies = {p["AutoScalingGroupName"]: p for p in client("autoscaling").describe_policies()["ScalingPolicies"]}
    worker = policies[f"{STACK}-workers"]["TargetTrackingConfiguration"]
    assert worker["TargetValue"] == 240.0
    web = policies[f"{STACK}-web"]["TargetTrackingConfiguration"]
    assert web["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ALBRequestCountPerTarget"

    [broker] = ElastiCacheReplicationGroup.made.values()
    settings = broker.properties
    assert settings["TransitEncryptionEnabled"] and settings["AtRestEncryptionEnabled"]
    assert settings["AutomaticFailoverEnabled"] and settings["MultiAZEnabled"] and settings["NumCacheClusters"] == 2
    [group] = ElastiCacheParameterGroup.made.values()
    assert group.properties["Properties"] == {"maxmemory-policy": "noeviction", "cluster-enabled": "no"}
    assert got["BrokerEndpoint"].endswith(":6379")

    alarms = client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{STACK}-")["MetricAlarms"]
    topic = got["AlarmTopicArn"]
    assert len(alarms) == 10
    assert all(a["AlarmActions"] == [topic] and a["OKActions"] == [topic] for a in alarms)
    assert "SiteUrl" in out


def test_status_shows_groups_backlog_and_alarms_then_down(aws: None, capsys: pytest.CaptureFixture[str]):
    up_scaled(capsys)
    client("cloudwatch").put_metric_data(
        Namespace="Photoshare",
        MetricData=[
            {"MetricName": "QueueDepth", "Dimensions": [{"Name": "Stack", "Value": STACK}], "Value": 37},
            {"MetricName": "OldestQueuedAge", "Dimensions": [{"Name": "Stack", "Value": STACK}], "Value": 12.5},
        ],
    )
    client("cloudwatch").set_alarm_state(AlarmName=f"{STACK}-oldest-queued", StateValue="ALARM", StateReason="test")
    code, out, err = run(capsys, "status", "--stack", STACK)
    assert (code, err) == (0, "")
    assert f"group {STACK}-web: 2 in service, 2 desired (min 2, max 6)" in out
    assert f"group {STACK}-workers: 1 in service, 1 desired (min 1, max 10)" in out
    assert f"group {STACK}-beat: 1 in service, 1 desired (min 1, max 1)" in out
    assert "backlog: 37 jobs queued, the oldest queued photo waiting 12.5 s" in out
    assert "alarms: 1 of 10 in ALARM" in out
    assert f"  ALARM             {STACK}-oldest-queued" in out

    code, out, err = run(capsys, "down", "--stack", STACK, "--yes", "--poll", "0")
    assert (code, err) == (0, ""), out
    assert stack.describe(client("cloudformation"), STACK) is None
    assert client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{STACK}-")["MetricAlarms"] == []
    assert client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"] == []


def test_smoke_of_a_scaled_stack_first_checks_every_web_target_is_healthy(
    aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    up_scaled(capsys)
    ran: list[str] = []

    class Recorder:
        def __init__(self, url: str, echo: Any, **kwargs: Any) -> None:
            ran.append(url)

        def run(self) -> None:
            ran.append("one job end to end")

    monkeypatch.setattr(cli, "Smoke", Recorder)
    code, out, err = run(capsys, "smoke", "--stack", STACK)
    assert (code, err) == (0, "")
    assert "load balancer targets: 2 healthy" in out
    assert ran == [outputs(STACK)["SiteUrl"], "one job end to end"]

    # A web instance out of service: the smoke test says so and sends no job.
    elbv2 = client("elbv2")
    target = elbv2.describe_target_health(TargetGroupArn=outputs(STACK)["TargetGroupArn"])["TargetHealthDescriptions"][
        0
    ]
    client("ec2").stop_instances(InstanceIds=[target["Target"]["Id"]])
    ran.clear()
    code, out, err = run(capsys, "smoke", "--stack", STACK)
    assert code == 1 and err.startswith("error: the load balancer's web targets are not all healthy: 1 healthy, 1 ")
    assert ran == []


def test_up_derives_the_worker_target_from_the_acceptable_wait_and_time_per_job(
    aws: None, capsys: pytest.CaptureFixture[str]
):
    out = up_scaled(capsys, "--acceptable-wait-s", "30", "--seconds-per-job", "1.5")
    assert "worker scaling target: 40 jobs waiting per instance" in out  # 30 / 1.5 x 2 at once
    current = client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack.parameters(current)["WorkerBacklogTarget"] == "40"
    policies = client("autoscaling").describe_policies(AutoScalingGroupName=f"{STACK}-workers")["ScalingPolicies"]
    assert policies[0]["TargetTrackingConfiguration"]["TargetValue"] == 40.0
