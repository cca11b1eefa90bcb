"""Creates the bucket and table when they are missing (local emulator, first start)."""

from botocore.exceptions import ClientError

from photoshare_shared import schema
from photoshare_shared.aws import make_client
from photoshare_shared.settings import Settings


def ensure_bucket(settings: Settings) -> None:
    """Create the private, encrypted bucket unless it exists."""
    s3 = make_client("s3", settings)
    try:
        s3.head_bucket(Bucket=settings.bucket)
        return
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"404", "NoSuchBucket"}:
            raise
    create = {"Bucket": settings.bucket}
    if settings.aws_region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": settings.aws_region}
    s3.create_bucket(**create)
    s3.put_public_access_block(
        Bucket=settings.bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=settings.bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def ensure_table(settings: Settings) -> None:
    """Create the photo table (keys and indexes from schema.py) unless it exists."""
    dynamodb = make_client("dynamodb", settings)
    try:
        dynamodb.create_table(**schema.table_definition(settings.table))
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=settings.table)


def ensure_resources(settings: Settings) -> None:
    """Create everything the app needs in an empty account or emulator."""
    ensure_bucket(settings)
    ensure_table(settings)
