"""Creates the bucket, table and user pool when they are missing (local emulator, first start).

`python -m photoshare_shared.provision` does that and also (re)sets the demo account, printing
its password: what `docker compose`'s init service runs.
"""

from botocore.exceptions import ClientError

from photoshare_shared import uploadsetup
from photoshare_shared.aws import make_client
from photoshare_shared.catalog.item import table_definition
from photoshare_shared.settings import Settings
from photoshare_shared.userpool import DEMO_USERNAME, UserPoolIds, ensure_user, ensure_user_pool, new_password


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
    """Create the photo table (keys and indexes from catalog/item.py) unless it exists."""
    dynamodb = make_client("dynamodb", settings)
    try:
        dynamodb.create_table(**table_definition(settings.table))
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=settings.table)


def ensure_upload_notifications(settings: Settings, *, site_origin: str | None = None) -> None:
    """The upload queue (with its dead-letter queue), the bucket's notification of every object
    created under uploads/ to it, the rule that aborts abandoned multipart uploads, and CORS for
    the site's origin (`site_origin`, else PHOTOSHARE_SITE_URL): deploy/template.yaml does the same."""
    sqs = make_client("sqs", settings)
    dead = sqs.create_queue(QueueName=f"{settings.upload_queue}-dead", Attributes=uploadsetup.DEAD_LETTER_QUEUE)
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]
    queue = sqs.create_queue(
        QueueName=settings.upload_queue, Attributes=uploadsetup.queue_attributes(dead_arn["QueueArn"])
    )
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]
    s3 = make_client("s3", settings)
    s3.put_bucket_notification_configuration(
        Bucket=settings.bucket,
        NotificationConfiguration=uploadsetup.notification(queue_arn["QueueArn"]),
    )
    s3.put_bucket_lifecycle_configuration(Bucket=settings.bucket, LifecycleConfiguration=uploadsetup.LIFECYCLE)
    origin = site_origin or settings.site_url
    if origin:
        s3.put_bucket_cors(Bucket=settings.bucket, CORSConfiguration=uploadsetup.cors(origin))


def ensure_resources(settings: Settings, *, site_origin: str | None = None) -> UserPoolIds:
    """Create everything the app needs in an empty account or emulator; the user pool's ids."""
    ensure_bucket(settings)
    ensure_table(settings)
    ensure_upload_notifications(settings, site_origin=site_origin)
    return ensure_user_pool(settings)


def ensure_demo_user(settings: Settings, ids: UserPoolIds) -> str:
    """Create the demo account (or give it a new password); its password."""
    password = new_password()
    ensure_user(settings, ids, username=DEMO_USERNAME, password=password, email="demo@example.com")
    return password


def demo_banner(password: str) -> str:
    """How to sign in as the demo account."""
    return f"demo account: username {DEMO_USERNAME}, password {password}"


def main() -> None:
    """Provision the emulator and print the demo account."""
    settings = Settings()
    if not settings.uses_emulator:
        # In AWS the deploy template owns these resources, and a demo account has no place there.
        raise SystemExit("photoshare_shared.provision: only for the local emulator (set AWS_ENDPOINT_URL)")
    ids = ensure_resources(settings)
    print(f"bucket {settings.bucket}, table {settings.table}, user pool {ids.user_pool_id}, client {ids.client_id}")
    print(demo_banner(ensure_demo_user(settings, ids)), flush=True)


if __name__ == "__main__":
    main()
