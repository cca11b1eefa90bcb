"""Every alarm, scaling policy and dashboard graph on the app's namespace reads a metric the app
really publishes, with its dimensions: the publisher runs against moto and the template is held to
what moto received. An alarm on a metric nobody sends would stay silent forever."""

import json
import re
from typing import Any

import pytest

from photoshare_deploy import template
from photoshare_shared import cloudmetrics
from photoshare_shared.aws import make_client
from photoshare_shared.backends import Backends
from photoshare_worker import metrics_publisher

TEMPLATE = template.load()
STACK = "ps-metrics"


@pytest.fixture
def published(settings, store, catalog, attention, publisher, metrics) -> dict[str, set[str]]:
    """Metric name -> its dimension names, as moto's CloudWatch received them from the publisher."""
    metrics.record(photo_id="p1", outcome="ready", duration_ms=900)  # so the processing times are sent too
    changed = settings.model_copy(update={"metrics_stack": STACK})
    backends = Backends(changed, store, catalog, attention, publisher, metrics)  # type: ignore[arg-type]
    cloudwatch = make_client("cloudwatch", changed)
    assert metrics_publisher.publish_once(backends, cloudwatch)
    listed = cloudwatch.list_metrics(Namespace=cloudmetrics.NAMESPACE)["Metrics"]
    assert {d["Value"] for m in listed for d in m["Dimensions"]} == {STACK}
    return {m["MetricName"]: {d["Name"] for d in m["Dimensions"]} for m in listed}


def _app_metrics(node: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every {Namespace: Photoshare, MetricName, Dimensions} in a resolved template."""
    if isinstance(node, dict):
        if node.get("Namespace") == cloudmetrics.NAMESPACE:
            found.append(node)
        for item in node.values():
            _app_metrics(item, found)
    elif isinstance(node, list):
        for item in node:
            _app_metrics(item, found)
    return found


@pytest.mark.parametrize("topology", ["single", "scaled"])
def test_every_alarm_and_policy_reads_a_published_metric_with_its_dimensions(published, topology):
    resources = template.for_parameters(TEMPLATE, {"Topology": topology})["Resources"]
    readers = {
        name: body
        for name, body in resources.items()
        if body["Type"] in ("AWS::CloudWatch::Alarm", "AWS::AutoScaling::ScalingPolicy")
    }
    read = []
    for name, body in readers.items():
        for metric in _app_metrics(body["Properties"], []):
            assert metric["MetricName"] in published, f"{name} reads {metric['MetricName']}, which nobody publishes"
            dimensions = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
            assert set(dimensions) == published[metric["MetricName"]], name
            # The publisher's Stack is the stack's name (PHOTOSHARE_METRICS_STACK=${AWS::StackName}).
            assert dimensions[cloudmetrics.STACK_DIMENSION] == {"Ref": "AWS::StackName"}, name
            read.append(metric["MetricName"])
    expected = {"OldestQueuedAge", "JobsFinished", "JobsFailed", "QueueDepth"}
    assert expected <= set(read)


def test_the_stack_tells_the_publisher_its_name():
    resources = TEMPLATE["Resources"]
    host_env = resources["Instance"]["Metadata"]["AWS::CloudFormation::Init"]["app"]["files"]
    fleet_env = resources["FleetLaunchTemplate"]["Metadata"]["AWS::CloudFormation::Init"]["app"]["files"]
    for files in (host_env, fleet_env):
        assert (
            "PHOTOSHARE_METRICS_STACK=${AWS::StackName}\n" in files["/etc/photoshare/deploy.env"]["content"]["Fn::Sub"]
        )


def _graphed(body: str) -> set[tuple[str, str]]:
    """(namespace, metric) of each graph row of a dashboard body ("." repeats the row above)."""
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body.replace("${FleetWidgets}", "").replace("${AlarmList}", "")))
    rows = set()
    for widget in widgets["widgets"]:
        previous: list[str] = []
        for row in widget["properties"].get("metrics", []):
            names = [item for item in row if isinstance(item, str)]
            if names[0] == "...":
                names = previous[: len(previous) - len(names) + 1] + names[1:]
            names = [prev if name == "." else name for name, prev in zip(names, previous + names, strict=False)]
            rows.add((names[0], names[1]))
            previous = names
    return rows


def test_the_dashboard_graphs_every_published_metric(published):
    body, _ = TEMPLATE["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    graphed = {metric for namespace, metric in _graphed(body) if namespace == cloudmetrics.NAMESPACE}
    assert graphed == set(published)
