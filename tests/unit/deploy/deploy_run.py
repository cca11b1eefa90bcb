"""Running photoshare-deploy in-process and reading back what it made, for the deploy tests."""

from typing import Any

import boto3
import pytest

from photoshare_deploy import stack
from photoshare_deploy.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of `photoshare-deploy argv...`."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def client(service: str, region: str = "eu-west-1") -> Any:
    return boto3.client(service, region_name=region)


def outputs(stack_name: str) -> dict[str, str]:
    return stack.outputs(client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0])
