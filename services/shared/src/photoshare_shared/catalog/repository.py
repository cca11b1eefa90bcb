"""What every repository over the photo table shares: the boto3 Table it reads and writes."""

from typing import Any


class TableRepository:
    """A repository over one DynamoDB table (a boto3 Table resource)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    @property
    def table(self) -> Any:
        """The boto3 Table behind it, for tools that inspect or count its requests."""
        return self._table
