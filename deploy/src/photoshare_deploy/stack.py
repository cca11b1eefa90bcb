"""CloudFormation calls: create or update a stack, follow its events until it settles, delete it."""

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from photoshare_deploy.errors import DeployError, is_missing_stack

Printer = Callable[[str], None]
FAILED_MARKERS = ("FAILED", "ROLLBACK")


def describe(cfn: Any, name: str) -> dict[str, Any] | None:
    """The stack, or None when it does not exist (deleted stacks count as missing)."""
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if is_missing_stack(error):
            return None
        raise
    if not stacks or stacks[0]["StackStatus"] == "DELETE_COMPLETE":
        return None
    return stacks[0]


def require(cfn: Any, name: str) -> dict[str, Any]:
    """The stack, or a one-line error saying it does not exist."""
    stack = describe(cfn, name)
    if stack is None:
        raise DeployError(f"stack {name} does not exist (in this account and region)")
    return stack


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    """The stack's outputs as a dict."""
    return {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}


def parameters(stack: dict[str, Any] | None) -> dict[str, str]:
    """The stack's parameter values ({} for no stack)."""
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in (stack or {}).get("Parameters", [])}


def create_or_update(
    cfn: Any, name: str, source: dict[str, str], params: dict[str, str], keep: list[str]
) -> str | None:
    """Start CreateStack or UpdateStack from `source` (TemplateBody or TemplateURL); return "create",
    "update", or None when nothing changed."""
    current = describe(cfn, name)
    given = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(params.items())]
    args = {"StackName": name, **source, "Capabilities": ["CAPABILITY_IAM"]}
    if current is None:
        cfn.create_stack(**args, Parameters=given, Tags=[{"Key": "app", "Value": "photoshare"}])
        return "create"
    status = current["StackStatus"]
    if status == "ROLLBACK_COMPLETE":
        raise DeployError(f"stack {name} failed to create earlier (ROLLBACK_COMPLETE): run `down --stack {name}` first")
    if status.endswith("_IN_PROGRESS"):
        raise DeployError(f"stack {name} is busy ({status}); wait for it, then try again")
    # The previous values themselves rather than UsePreviousValue, which moto cannot do for defaulted ones.
    previous = parameters(current)
    kept = [{"ParameterKey": k, "ParameterValue": previous[k]} for k in keep if _keepable(k, previous, params)]
    try:
        cfn.update_stack(**args, Parameters=given + kept)
    except ClientError as error:
        if "No updates are to be performed" in error.response.get("Error", {}).get("Message", ""):
            return None
        raise
    return "update"


def _keepable(name: str, previous: dict[str, str], params: dict[str, str]) -> bool:
    # An SSM-typed parameter is kept as its path; moto reports the resolved AMI id instead, so skip that.
    value = previous.get(name)
    return value is not None and name not in params and not (name == "LatestAmiId" and not value.startswith("/"))


def event_ids(cfn: Any, name: str) -> set[str]:
    """Ids of the events the stack has so far, so that `wait` prints only the new ones."""
    return {event["EventId"] for event in _new_events(cfn, name, set())}


def wait(
    cfn: Any, name: str, seen: set[str], echo: Printer, poll_s: float = 5.0, timeout_s: float = 3600
) -> dict[str, Any] | None:
    """Print the stack's events as they come until it settles; raise with the first failure's reason."""
    failures: list[str] = []
    deadline = time.monotonic() + timeout_s
    while True:
        stack = describe(cfn, name)
        for event in _new_events(cfn, stack["StackId"] if stack else name, seen):
            echo(_format(event))
            if event["ResourceStatus"].endswith("FAILED") and event.get("ResourceStatusReason"):
                failures.append(f"{event['LogicalResourceId']}: {event['ResourceStatusReason']}")
        if stack is None:
            return None
        status = stack["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            if any(marker in status for marker in FAILED_MARKERS):
                reason = failures[0] if failures else stack.get("StackStatusReason", "no reason given")
                raise DeployError(f"stack {name} ended {status}: {reason}")
            return stack
        if time.monotonic() > deadline:
            raise DeployError(f"stack {name} still {status} after {timeout_s:.0f}s; check the console")
        time.sleep(poll_s)


def _new_events(cfn: Any, stack_id: str, seen: set[str]) -> list[dict[str, Any]]:
    try:
        pages = cfn.get_paginator("describe_stack_events").paginate(StackName=stack_id)
        events = [e for page in pages for e in page["StackEvents"]]
    except ClientError as error:
        if is_missing_stack(error):
            return []
        raise
    fresh = [e for e in events if e["EventId"] not in seen]
    seen.update(e["EventId"] for e in events)
    return sorted(fresh, key=lambda e: e["Timestamp"])


def _format(event: dict[str, Any]) -> str:
    when = event["Timestamp"].strftime("%H:%M:%S")
    reason = f"  {event['ResourceStatusReason']}" if event.get("ResourceStatusReason") else ""
    return f"{when}  {event['ResourceStatus']:<28} {event['ResourceType']:<30} {event['LogicalResourceId']}{reason}"


def delete(cfn: Any, name: str) -> str:
    """Start DeleteStack; return the stack id so it can be followed after the name is gone."""
    stack = require(cfn, name)
    cfn.delete_stack(StackName=stack["StackId"])
    return str(stack["StackId"])
