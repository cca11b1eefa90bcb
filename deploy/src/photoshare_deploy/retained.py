"""The bucket, table and user pool outlive the stack (DeletionPolicy Retain); the bucket and table
are removed here when asked, the pool only by hand (it has deletion protection)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError

from photoshare_deploy import buckets
from photoshare_deploy.awsenv import Aws


def remove_data(
    aws: Aws, outputs: dict[str, str], *, empty_bucket: bool, delete_table: bool, echo: Callable[[str], None]
) -> None:
    """Empty and delete the photo bucket and/or delete the table; say what is kept."""
    bucket, table = outputs.get("BucketName"), outputs.get("TableName")
    if bucket and empty_bucket:
        s3 = aws.client("s3")
        with _unless_gone("NoSuchBucket"):
            count = buckets.empty(s3, bucket)
            s3.delete_bucket(Bucket=bucket)
            echo(f"deleted bucket {bucket} and its {count} objects")
    elif bucket:
        echo(f"kept bucket {bucket} (photos stay; `down --empty-bucket` or delete it by hand)")
    if table and delete_table:
        with _unless_gone("ResourceNotFoundException"):
            aws.client("dynamodb").delete_table(TableName=table)
            echo(f"deleted table {table}")
    elif table:
        echo(f"kept table {table} (the catalog stays; `down --delete-table` or delete it by hand)")
    if outputs.get("UserPoolId"):
        echo(
            f"kept user pool {outputs['UserPoolId']} (the accounts stay; it has deletion protection, "
            "turn that off in the Cognito console to delete it)"
        )


@contextmanager
def _unless_gone(missing_code: str) -> Iterator[None]:
    """Run a deletion; one that finds the resource gone already has nothing left to do."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != missing_code:
            raise
