"""The CloudFormation template: where it is, reading it (short-form tags included), checking parameters."""

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from photoshare_deploy.errors import DeployError

# deploy/template.yaml beside this package's project (the CLI runs from a checkout of the repo).
TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"

# Parameters photoshare-deploy fills in itself unless given with --param.
MANAGED = (
    "AppVersion",
    "BundleBucket",
    "BundleKey",
    "VpcId",
    "SubnetId",
    "CloudFrontPrefixListId",
    "CloudFrontOriginSecurityGroupId",
)


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns `!Ref x` into {"Ref": x} and `!Sub s` into {"Fn::Sub": s}, etc."""


def _intrinsic(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain data (intrinsic functions in their long form)."""
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


@cache
def body(path: Path = TEMPLATE_PATH) -> str:
    """The template text, as sent to CloudFormation."""
    return path.read_text()


def parse_params(pairs: list[str]) -> dict[str, str]:
    """Turn ["K=V", ...] into a dict; a pair without "=" is an error."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"bad --param {pair!r}: write it as NAME=VALUE")
        params[key.strip()] = value.strip()
    return params


def check_params(params: dict[str, str], template: dict[str, Any]) -> None:
    """Refuse unknown names and values outside AllowedValues / AllowedPattern, before calling AWS."""
    declared = template.get("Parameters", {})
    for name, value in params.items():
        if name not in declared:
            raise DeployError(f"unknown parameter {name}; the template takes: {', '.join(sorted(declared))}")
        spec = declared[name]
        allowed = spec.get("AllowedValues")
        if allowed and value not in [str(v) for v in allowed]:
            raise DeployError(f"bad value for {name}: {value!r}; allowed: {', '.join(map(str, allowed))}")
        pattern = spec.get("AllowedPattern")
        if pattern and not re.fullmatch(pattern, value):
            hint = spec.get("ConstraintDescription", f"must match {pattern}")
            raise DeployError(f"bad value for {name}: {value!r} ({hint})")
