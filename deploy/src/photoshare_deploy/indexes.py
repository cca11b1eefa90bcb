"""The table's global secondary indexes, added one per stack update: CloudFormation refuses more
than one GSI creation in an update, and does not wait for an index's backfill before the next."""

import copy
import time
from collections.abc import Callable
from typing import Any

from photoshare_deploy.errors import DeployError

TABLE = "PhotoTable"  # the table's logical id in the template; its TableName output names it
Printer = Callable[[str], None]


def live_table(dynamodb: Any, outputs: dict[str, str]) -> dict[str, Any] | None:
    """The stack's table (its TableName output) as DescribeTable gives it, or None without one."""
    if not outputs.get("TableName"):
        return None
    try:
        return dynamodb.describe_table(TableName=outputs["TableName"])["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        return None


def declared(data: dict[str, Any]) -> list[str]:
    """The template's index names, in its order."""
    return [index["IndexName"] for index in _properties(data).get("GlobalSecondaryIndexes", [])]


def missing(data: dict[str, Any], table: dict[str, Any]) -> list[str]:
    """The template's indexes the live table lacks, in the template's order."""
    live = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    return [name for name in declared(data) if name not in live]


def with_indexes(data: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The template with only these of the table's indexes, and only the attribute definitions a
    key still uses (CloudFormation rejects an unused one)."""
    made = copy.deepcopy(data)
    properties = _properties(made)
    properties["GlobalSecondaryIndexes"] = [i for i in properties["GlobalSecondaryIndexes"] if i["IndexName"] in names]
    schemas = [properties["KeySchema"], *(index["KeySchema"] for index in properties["GlobalSecondaryIndexes"])]
    used = {key["AttributeName"] for schema in schemas for key in schema}
    properties["AttributeDefinitions"] = [a for a in properties["AttributeDefinitions"] if a["AttributeName"] in used]
    return made


def steps(data: dict[str, Any], table: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(index added, template) for each update before the full template's: one more index each."""
    lacking = missing(data, table)
    present = [name for name in declared(data) if name not in lacking]
    return [(name, with_indexes(data, present + lacking[: n + 1])) for n, name in enumerate(lacking[:-1])]


def wait_until_active(
    dynamodb: Any, table_name: str, echo: Printer, poll_s: float = 15.0, timeout_s: float = 7200
) -> None:
    """Wait until the table and each of its indexes is ACTIVE (an index backfills after the stack
    update completes); raise after timeout_s."""
    deadline = time.monotonic() + timeout_s
    told: set[str] = set()
    while True:
        table = dynamodb.describe_table(TableName=table_name)["Table"]
        busy = [i["IndexName"] for i in table.get("GlobalSecondaryIndexes", []) if i["IndexStatus"] != "ACTIVE"]
        if table["TableStatus"] != "ACTIVE":
            busy.insert(0, f"table {table_name}")
        if not busy:
            return
        if set(busy) - told:
            echo(f"waiting for {', '.join(busy)} to become ACTIVE (index backfill; at most {timeout_s:.0f}s)")
            told.update(busy)
        if time.monotonic() > deadline:
            raise DeployError(f"{', '.join(busy)} of table {table_name} not ACTIVE after {timeout_s:.0f}s")
        time.sleep(poll_s)


def _properties(data: dict[str, Any]) -> dict[str, Any]:
    return data["Resources"][TABLE]["Properties"]
