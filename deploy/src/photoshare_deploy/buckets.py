"""S3 buckets the CLI itself handles: the bundle bucket, and emptying a stack's photo bucket."""

import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

from photoshare_deploy.awsenv import Aws

# moto applies a bucket policy's Deny without evaluating its Condition, so an emulator would
# refuse every upload; the in-process tests turn this off, an http:// endpoint skips it too.
ENFORCE_TLS = True


# CloudFormation takes an inline template of at most this many bytes; a larger one goes through S3.
MAX_TEMPLATE_BODY = 51_200


def template_source(aws: Aws, stack: str, body: str) -> dict[str, str]:
    """CreateStack/UpdateStack's template argument: the body itself, or a URL of it in the bundle bucket."""
    if len(body.encode()) <= MAX_TEMPLATE_BODY:
        return {"TemplateBody": body}
    bucket = artifacts_bucket(aws)
    key = f"templates/{stack}/{hashlib.sha256(body.encode()).hexdigest()}.template"
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="text/plain")
    return {"TemplateURL": f"https://{bucket}.s3.{aws.region}.amazonaws.com/{key}"}


def artifacts_name(aws: Aws) -> str:
    """Name of the account's bundle bucket in this region."""
    return f"photoshare-deploy-{aws.account_id()}-{aws.region}"


def artifacts_bucket(aws: Aws) -> str:
    """The account's bundle bucket for this region, created private and TLS-only when missing."""
    name = artifacts_name(aws)
    s3 = aws.client("s3")
    if name in {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}:
        return name
    create: dict[str, object] = {"Bucket": name}
    if aws.region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
    s3.create_bucket(**create)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    # An http:// emulator (AWS_ENDPOINT_URL) can never satisfy a TLS-only policy; AWS is always https.
    if ENFORCE_TLS and not (aws.endpoint_url or "").startswith("http://"):
        s3.put_bucket_policy(Bucket=name, Policy=tls_only_policy(name))
    return name


def tls_only_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def delete_stack_bundles(aws: Aws, stack: str) -> int:
    """Remove the stack's bundles from the bundle bucket; return how many."""
    try:
        return empty(aws.client("s3"), artifacts_name(aws), prefix=f"bundles/{stack}/")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return 0
        raise


def empty(s3: Any, bucket: str, prefix: str = "") -> int:
    """Delete every object (and every version, should versioning be on) under prefix; return how many."""
    count = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        keys = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
        count += len(keys)
    return count


def site_cors(origin: str) -> dict[str, Any]:
    """Exactly the site's origin may PUT upload parts (reading their ETag) and GET images.

    The same rule as photoshare_shared.uploadsetup.cors (this CLI imports no app package; a unit
    test holds the two equal). Set here, not in the template: the site's address is the
    distribution's, and the distribution depends on the host that depends on the bucket.
    """
    return {
        "CORSRules": [
            {
                "AllowedOrigins": [origin.rstrip("/")],
                "AllowedMethods": ["PUT", "GET"],
                "AllowedHeaders": ["content-type", "content-length"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3600,
            }
        ]
    }


def allow_site_origin(aws: Aws, outputs: dict[str, str]) -> str | None:
    """Let browsers on the stack's site send direct uploads to its bucket; the origin, or None."""
    origin, bucket = outputs.get("SiteUrl"), outputs.get("BucketName")
    if not origin or not bucket:
        return None
    aws.client("s3").put_bucket_cors(Bucket=bucket, CORSConfiguration=site_cors(origin))
    return origin
