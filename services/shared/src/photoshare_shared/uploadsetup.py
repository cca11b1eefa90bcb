"""How the bucket tells the worker about uploads: one definition for provisioning and the template.

`provision.py` applies these to the emulator; `deploy/template.yaml` spells the same in
CloudFormation, and tests/unit/deploy/test_deploy_template.py holds the two equal.
"""

from typing import Any

from photoshare_shared.keys import UPLOAD_PREFIX

# A message the consumer failed this many times goes to the dead-letter queue, kept 14 days.
MAX_RECEIVE_COUNT = 5
DEAD_LETTER_QUEUE = {"MessageRetentionPeriod": str(14 * 24 * 3600)}
# Longer than landing one object takes, with room for S3 retries.
VISIBILITY_TIMEOUT_S = 120
# Multipart uploads nobody completed or aborted (a closed tab) are dropped after this many days.
ABORT_INCOMPLETE_AFTER_DAYS = 2
# A direct upload's object that was never landed (no consumer ran) is removed after this many days.
EXPIRE_UNLANDED_AFTER_DAYS = 7
# What a browser may ask of the bucket: PUT a part (reading its ETag) and GET a thumbnail.
CORS_MAX_AGE_S = 3600


def queue_attributes(dead_letter_arn: str) -> dict[str, str]:
    """The upload queue's attributes (SQS CreateQueue)."""
    return {
        "VisibilityTimeout": str(VISIBILITY_TIMEOUT_S),
        "RedrivePolicy": f'{{"deadLetterTargetArn":"{dead_letter_arn}","maxReceiveCount":"{MAX_RECEIVE_COUNT}"}}',
    }


def notification(queue_arn: str) -> dict[str, Any]:
    """Every object created under the upload prefix, sent to the upload queue."""
    return {
        "QueueConfigurations": [
            {
                "Id": "photoshare-uploads",
                "QueueArn": queue_arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": UPLOAD_PREFIX}]}},
            }
        ]
    }


LIFECYCLE: dict[str, Any] = {
    "Rules": [
        {
            "ID": "abort-abandoned-uploads",
            "Status": "Enabled",
            "Filter": {"Prefix": UPLOAD_PREFIX},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_INCOMPLETE_AFTER_DAYS},
            "Expiration": {"Days": EXPIRE_UNLANDED_AFTER_DAYS},
        }
    ]
}


def cors(origin: str) -> dict[str, Any]:
    """Exactly the site's origin may PUT parts (and read their ETag) and GET images."""
    return {
        "CORSRules": [
            {
                "AllowedOrigins": [origin.rstrip("/")],
                "AllowedMethods": ["PUT", "GET"],
                "AllowedHeaders": ["content-type", "content-length"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": CORS_MAX_AGE_S,
            }
        ]
    }
