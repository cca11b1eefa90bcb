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
    return load_text(path.read_text())


def load_text(text: str) -> dict[str, Any]:
    """A template body (YAML, short-form tags included, or JSON) as plain data."""
    return yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


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


_NO_VALUE = object()


def for_parameters(data: dict[str, Any], values: dict[str, str] | None = None) -> dict[str, Any]:
    """The template as CloudFormation makes it with these parameter values (the rest at their
    defaults): resources and outputs whose Condition is false left out, each Fn::If decided and
    AWS::NoValue dropped. The static tests read each topology through it."""
    given = {name: str(spec.get("Default", "")) for name, spec in data.get("Parameters", {}).items()}
    given.update(values or {})
    conditions: dict[str, bool] = {}

    def value(node: Any) -> Any:
        if isinstance(node, dict) and "Ref" in node:
            return given[node["Ref"]]
        return node

    def holds(node: Any) -> bool:
        if isinstance(node, str):
            if node not in conditions:
                conditions[node] = holds(data["Conditions"][node])
            return conditions[node]
        [(function, args)] = node.items()
        if function == "Fn::Equals":
            return str(value(args[0])) == str(value(args[1]))
        if function == "Fn::Not":
            return not holds(args[0])
        if function == "Fn::And":
            return all(holds(arg) for arg in args)
        if function == "Fn::Or":
            return any(holds(arg) for arg in args)
        if function == "Condition":
            return holds(args)
        raise DeployError(f"unknown condition function {function}")

    def decide(node: Any) -> Any:
        if isinstance(node, dict):
            if list(node) == ["Fn::If"]:
                name, when_true, when_false = node["Fn::If"]
                return decide(when_true if holds(name) else when_false)
            if node == {"Ref": "AWS::NoValue"}:
                return _NO_VALUE
            decided = {key: decide(item) for key, item in node.items()}
            return {key: item for key, item in decided.items() if item is not _NO_VALUE}
        if isinstance(node, list):
            return [item for item in (decide(item) for item in node) if item is not _NO_VALUE]
        return node

    made = dict(data)
    for section in ("Resources", "Outputs"):
        kept = {
            name: {key: item for key, item in body.items() if key != "Condition"}
            for name, body in data.get(section, {}).items()
            if _made(body, holds)
        }
        made[section] = decide(kept)
    return made


def _made(body: dict[str, Any], holds: Any) -> bool:
    """Whether a resource or output is made: it has no Condition, or its Condition holds."""
    return "Condition" not in body or holds(body["Condition"])
