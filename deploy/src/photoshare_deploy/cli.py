"""photoshare-deploy: up, status, smoke and down for the Photoshare CloudFormation stack."""

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from photoshare_deploy import buckets, bundle, fleet, indexes, lint, network, retained, scaling, stack, template
from photoshare_deploy.awsenv import Aws
from photoshare_deploy.errors import DeployError, explain
from photoshare_deploy.smoke import Login, Smoke


def echo(line: str) -> None:
    """Print one line at once (progress must show while waiting)."""
    print(line, flush=True)


def show_outputs(outputs: dict[str, str]) -> None:
    """Print the stack's outputs, one per line."""
    for key in sorted(outputs):
        echo(f"  {key:<14} {outputs[key]}")


def cmd_up(args: argparse.Namespace) -> int:
    """Create or update the stack with a fresh source bundle, follow its events, print its outputs."""
    body = template.body()
    declared = template.load()
    params = template.parse_params(args.param)
    template.check_params(params, declared)
    aws = Aws()
    cfn, ec2 = aws.client("cloudformation"), aws.client("ec2")
    if not {"VpcId", "SubnetId"} <= params.keys() and stack.describe(cfn, args.stack) is None:
        params = {**network.default_network(ec2), **params}
    if "CloudFrontPrefixListId" not in params:  # looked up every time: an older stack lacks it
        params.update(network.cloudfront_prefix_list(ec2))
    previous = stack.parameters(stack.describe(cfn, args.stack))
    vpc_id = params.get("VpcId") or previous.get("VpcId")
    topology = params.get("Topology") or previous.get("Topology") or "single"
    if topology == "scaled" and vpc_id and not (params.get("SubnetIds") or previous.get("SubnetIds")):
        params.update(network.default_subnets(ec2, vpc_id))
    if args.acceptable_wait_s is not None or args.seconds_per_job is not None:
        target = scaling.worker_backlog_target(args.acceptable_wait_s, args.seconds_per_job)
        params["WorkerBacklogTarget"] = str(target)
        echo(f"worker scaling target: {target} jobs waiting per instance")
    if "CloudFrontOriginSecurityGroupId" not in params and vpc_id:
        params.update(network.vpc_origins_security_group(ec2, vpc_id))
    packed = bundle.make_bundle()
    params.setdefault("AppVersion", packed.version)
    if "BundleKey" not in params:
        bucket, key = bundle.upload(aws, packed, args.stack)
        params.update(BundleBucket=params.get("BundleBucket", bucket), BundleKey=key)
        echo(f"uploaded source bundle s3://{bucket}/{key} ({len(packed.data) / 1e6:.1f} MB, version {packed.version})")
    template.check_params(params, declared)
    keep = [name for name in declared.get("Parameters", {}) if name not in params]
    current = stack.describe(cfn, args.stack)
    table = indexes.live_table(aws.client("dynamodb"), stack.outputs(current)) if current else None
    if table is not None:
        add_indexes_one_by_one(aws, args, declared, table, params, keep)
    seen = stack.event_ids(cfn, args.stack) if stack.describe(cfn, args.stack) else set()
    action = stack.create_or_update(cfn, args.stack, buckets.template_source(aws, args.stack, body), params, keep)
    if action is None:
        echo(f"stack {args.stack} is already up to date")
        final = stack.require(cfn, args.stack)
    else:
        echo(f"{action} of stack {args.stack} started in {aws.region}; events:")
        final = stack.wait(cfn, args.stack, seen, echo, poll_s=args.poll) or stack.require(cfn, args.stack)
    if table is not None and indexes.missing(declared, table):
        indexes.wait_until_active(aws.client("dynamodb"), table["TableName"], echo, poll_s=args.poll)
    echo(f"stack {args.stack}: {final['StackStatus']}")
    show_outputs(stack.outputs(final))
    origin = buckets.allow_site_origin(aws, stack.outputs(final))
    if origin:
        echo(f"the bucket admits direct uploads from {origin} (CORS)")
    if action == "update":
        echo("the host picks up the new version within about a minute (cfn-hup) and rebuilds; then run smoke")
    if "CloudFrontOriginSecurityGroupId" not in params:
        echo(
            "the web port admits CloudFront's origin-facing servers until CloudFront has made "
            f"{network.VPC_ORIGINS_GROUP} in the VPC (with the VPC origin): "
            "run `up` again once the distribution is deployed, to admit that group only"
        )
    return 0


def add_indexes_one_by_one(
    aws: Aws,
    args: argparse.Namespace,
    data: dict[str, Any],
    table: dict[str, Any],
    params: dict[str, str],
    keep: list[str],
) -> None:
    """Update the stack once per table index it lacks but the last (the full template adds that),
    each time waiting for the update and then for the index's backfill."""
    cfn, dynamodb = aws.client("cloudformation"), aws.client("dynamodb")
    lacking = indexes.missing(data, table)
    if lacking:  # an index still backfilling from an earlier run would fail the next addition
        indexes.wait_until_active(dynamodb, table["TableName"], echo, poll_s=args.poll)
    for number, (name, step) in enumerate(indexes.steps(data, table), 1):
        echo(f"adding index {name} ({number} of {len(lacking)})…")
        seen = stack.event_ids(cfn, args.stack)
        source = buckets.template_source(aws, args.stack, json.dumps(step, separators=(",", ":")))
        stack.create_or_update(cfn, args.stack, source, params, keep)
        stack.wait(cfn, args.stack, seen, echo, poll_s=args.poll)
        indexes.wait_until_active(dynamodb, table["TableName"], echo, poll_s=args.poll)
    if lacking:
        echo(f"adding index {lacking[-1]} ({len(lacking)} of {len(lacking)}) with the rest of the template…")


def cmd_status(args: argparse.Namespace) -> int:
    """Print the stack's state, outputs, instances (host, or groups in service), backlog and alarm states."""
    aws = Aws()
    current = stack.require(aws.client("cloudformation"), args.stack)
    updated = current.get("LastUpdatedTime", current["CreationTime"])
    echo(f"stack {args.stack}: {current['StackStatus']} (updated {updated:%Y-%m-%d %H:%M:%S %Z})")
    outputs = stack.outputs(current)
    show_outputs(outputs)
    if "InstanceId" in outputs:
        echo(f"instance {outputs['InstanceId']}: {network.instance_state(aws.client('ec2'), outputs['InstanceId'])}")
    for name, in_service, desired, least, most in fleet.group_counts(aws.client("autoscaling"), outputs):
        echo(f"group {name}: {in_service} in service, {desired} desired (min {least}, max {most})")
    cloudwatch = aws.client("cloudwatch")
    figures = fleet.backlog(cloudwatch, args.stack)
    depth, age = figures["QueueDepth"], figures["OldestQueuedAge"]
    if depth is None:
        echo("backlog: no metrics sent in the last 10 minutes (is the metrics publisher running?)")
    else:
        echo(f"backlog: {depth:g} jobs queued, the oldest queued photo waiting {age or 0:g} s")
    alarms = fleet.alarm_states(cloudwatch, args.stack)
    firing = sum(1 for _, state in alarms if state == "ALARM")
    echo(f"alarms: {firing} of {len(alarms)} in ALARM")
    for name, state in alarms:
        echo(f"  {state:<17} {name}")
    return 0


def cmd_smoke(args: argparse.Namespace) -> int:
    """Run the smoke test against a URL (or the SiteUrl of --stack)."""
    url = args.url
    if url is None:
        if args.stack is None:
            raise DeployError("give --url URL or --stack NAME")
        url = stack.outputs(stack.require(Aws().client("cloudformation"), args.stack)).get("SiteUrl")
        if not url:
            raise DeployError(f"stack {args.stack} has no SiteUrl output")
    if args.stack is not None:
        target_group = stack.outputs(stack.require(Aws().client("cloudformation"), args.stack)).get("TargetGroupArn")
        if target_group:  # scaled: every web instance must be serving before one job goes through
            echo(f"load balancer targets: {fleet.require_healthy_targets(Aws().client('elbv2'), target_group)}")
    echo(f"smoke test of {url}")
    login = None
    if args.username:
        password = os.environ.get("PHOTOSHARE_SMOKE_PASSWORD") or getpass.getpass(f"password of {args.username}: ")
        login = Login(args.username, password)
    Smoke(url, echo, login=login, cognito=_pool_admin, ready_timeout_s=args.timeout).run()
    return 0


def _pool_admin(user_pool_id: str) -> Any:
    """A Cognito client in the pool's own region (its id starts with it), with your credentials."""
    return Aws().client("cognito-idp", region=user_pool_id.split("_", 1)[0])


def cmd_down(args: argparse.Namespace) -> int:
    """Delete the stack (after confirmation), emptying its bucket first when asked."""
    aws = Aws()
    cfn = aws.client("cloudformation")
    current = stack.require(cfn, args.stack)
    outputs = stack.outputs(current)
    if not args.yes:
        doomed = (("photos", args.empty_bucket), ("table", args.delete_table))
        what = "".join(f"and DELETE its {name} " for name, on in doomed if on)
        answer = input(f"Delete stack {args.stack} {what}in {aws.region}? Type the stack name to confirm: ")
        if answer.strip() != args.stack:
            raise DeployError("not confirmed; nothing deleted")
    seen = stack.event_ids(cfn, args.stack)
    stack_id = stack.delete(cfn, args.stack)
    echo(f"delete of stack {args.stack} started; events:")
    stack.wait(cfn, stack_id, seen, echo, poll_s=args.poll)
    echo(f"stack {args.stack} deleted; removed {buckets.delete_stack_bundles(aws, args.stack)} source bundles")
    retained.remove_data(aws, outputs, empty_bucket=args.empty_bucket, delete_table=args.delete_table, echo=echo)
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    """Run cfn-lint and checkov on the template."""
    return lint.main()


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    root = argparse.ArgumentParser(prog="photoshare-deploy", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="create or update the stack, wait, print outputs")
    up.add_argument("--stack", required=True)
    up.add_argument("--param", action="append", default=[], metavar="K=V", help="template parameter (repeatable)")
    up.add_argument(
        "--acceptable-wait-s",
        type=float,
        help=f"scaled: how long a photo may wait for a worker (default {scaling.ACCEPTABLE_WAIT_S:g})",
    )
    up.add_argument(
        "--seconds-per-job",
        type=float,
        help=f"scaled: measured time per job, ProcessingTimeP50 (default {scaling.SECONDS_PER_JOB:g})",
    )
    status = sub.add_parser("status", help="stack state, outputs, instances, backlog and alarm states")
    status.add_argument("--stack", required=True)
    smoke = sub.add_parser("smoke", help="upload, process, list and delete a photo through the API")
    smoke.add_argument("--url")
    smoke.add_argument("--stack", help="use this stack's SiteUrl when --url is not given")
    smoke.add_argument("--timeout", type=float, default=180, help="seconds to wait for READY")
    smoke.add_argument(
        "--username",
        help="sign in as this account (password from PHOTOSHARE_SMOKE_PASSWORD or a prompt); "
        "without it a temporary account is made in the site's user pool and deleted afterwards",
    )
    down = sub.add_parser("down", help="delete the stack")
    down.add_argument("--stack", required=True)
    down.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    down.add_argument(
        "--empty-bucket", action="store_true", help="also empty and delete the photo bucket (kept otherwise)"
    )
    down.add_argument("--delete-table", action="store_true", help="also delete the photo table (kept otherwise)")
    for command in (up, down):
        command.add_argument("--poll", type=float, default=5.0, help="seconds between event polls")
    sub.add_parser("lint", help="cfn-lint and checkov on the template")
    return root


COMMANDS = {"up": cmd_up, "status": cmd_status, "smoke": cmd_smoke, "down": cmd_down, "lint": cmd_lint}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run one command; errors print as one line and exit 1."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
    except (ClientError, BotoCoreError) as error:
        print(f"error: {explain(error)}", file=sys.stderr)
    except ResponseParserError as error:
        print(f"error: unexpected answer from AWS (or AWS_ENDPOINT_URL): {str(error).splitlines()[0]}", file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted (the stack operation, if started, goes on in AWS)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
