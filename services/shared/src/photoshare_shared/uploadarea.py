"""The bucket's upload prefix: presigned multipart uploads and the objects they leave there.

Clients send bytes straight to S3 under `uploads/<username>/<photo_id>`; the web only signs URLs
(locally, no request) and asks S3 about parts. S3 itself keeps the upload's state: the multipart
upload is found again by its key, and what the client declared rides along as object metadata.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from photoshare_shared import keys

# S3's own bounds: parts of at least 5 MiB (but the last), at most 10,000 parts per upload.
MIN_PART_BYTES = 5 * 1024 * 1024
MAX_PARTS = 10_000

# Object metadata (x-amz-meta-*) a presigned upload carries: what its client declared.
_FILENAME, _SIZE, _SHA256 = "filename", "declared-size", "sha256"


@dataclass(frozen=True)
class Declared:
    """What a client said about the file it is about to send."""

    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Part:
    """One part S3 has of a multipart upload."""

    number: int
    etag: str
    size: int


@dataclass(frozen=True)
class LandedObject:
    """An object under the upload prefix, as S3 describes it."""

    key: str
    size: int
    etag: str
    written_at: datetime
    # From the presigned upload's metadata; None for objects written any other way.
    filename: str | None
    declared_size: int | None
    sha256: str | None


class NoSuchUpload(LookupError):
    """No multipart upload in progress under that key (finished, aborted or never started)."""


class PartsRefused(ValueError):
    """S3 would not join the parts listed; str(exc) says why, for a person."""


# What S3 answers CompleteMultipartUpload with when the list does not match what it holds.
_PART_ERRORS = {
    "InvalidPart": "S3 does not have every part listed, or an etag differs from the part it has: "
    "GET the upload for the parts it has, send the missing ones, then complete again.",
    "InvalidPartOrder": "List the parts in ascending order of number.",
    "EntityTooSmall": "Every part but the last must be at least 5 MB: send parts of part_size bytes.",
}


class UploadArea:
    """Multipart uploads and landed objects under `uploads/` in the photo bucket.

    `signer` is a client configured with the endpoint browsers reach (see PhotoStore).
    """

    def __init__(self, client: Any, bucket: str, *, signer: Any | None = None, url_ttl_s: int = 900) -> None:
        self._client = client
        self._signer = signer or client
        self._bucket = bucket
        self._url_ttl_s = url_ttl_s

    def start(self, key: str, declared: Declared) -> str:
        """Begin a multipart upload at `key`, carrying what was declared; S3's upload id."""
        answer = self._client.create_multipart_upload(
            Bucket=self._bucket,
            Key=key,
            Metadata=_metadata(declared),
        )
        return answer["UploadId"]

    def find(self, key: str) -> str:
        """S3's id of the multipart upload in progress at `key`; NoSuchUpload when there is none."""
        answer = self._client.list_multipart_uploads(Bucket=self._bucket, Prefix=key)
        for upload in answer.get("Uploads", []):
            if upload["Key"] == key:
                return upload["UploadId"]
        raise NoSuchUpload(key)

    def part_urls(self, key: str, upload_id: str, count: int) -> list[tuple[int, str]]:
        """A presigned PUT URL for each part number 1..count (signed locally)."""
        return [
            (
                number,
                self._signer.generate_presigned_url(
                    "upload_part",
                    Params={"Bucket": self._bucket, "Key": key, "UploadId": upload_id, "PartNumber": number},
                    ExpiresIn=self._url_ttl_s,
                ),
            )
            for number in range(1, count + 1)
        ]

    def parts(self, key: str, upload_id: str) -> list[Part]:
        """The parts S3 has received so far, by number."""
        found: list[Part] = []
        marker = 0
        while True:
            answer = self._call("list_parts", Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker)
            found += [Part(p["PartNumber"], p["ETag"], p["Size"]) for p in answer.get("Parts", [])]
            if not answer.get("IsTruncated"):
                return found
            marker = int(answer["NextPartNumberMarker"])

    def complete(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        """Join the parts (number, etag) into the object; S3 then notifies the upload queue."""
        self._call(
            "complete_multipart_upload",
            Bucket=self._bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in sorted(parts)]},
        )

    def abort(self, key: str, upload_id: str) -> None:
        """Drop the upload and every part S3 kept of it."""
        self._call("abort_multipart_upload", Bucket=self._bucket, Key=key, UploadId=upload_id)

    def describe(self, key: str) -> LandedObject | None:
        """The object at `key` with what its client declared, or None when it is not there."""
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        meta = head.get("Metadata", {})
        declared_size = meta.get(_SIZE, "")
        return LandedObject(
            key=key,
            size=int(head["ContentLength"]),
            etag=head["ETag"].strip('"'),
            written_at=head["LastModified"],
            filename=unquote(meta[_FILENAME]) if _FILENAME in meta else None,
            declared_size=int(declared_size) if declared_size.isdigit() else None,
            sha256=meta.get(_SHA256),
        )

    def checksum(self, key: str) -> str:
        """SHA-256 of the object's bytes, streamed (for objects that did not declare one)."""
        digest = hashlib.sha256()
        body = self._client.get_object(Bucket=self._bucket, Key=key)["Body"]
        for chunk in body.iter_chunks(1024 * 1024):
            digest.update(chunk)
        return digest.hexdigest()

    def adopt(self, key: str, photo_id: str) -> None:
        """Copy the object to the photo's original key, inside S3 (no bytes through this process)."""
        self._client.copy_object(
            Bucket=self._bucket, Key=keys.original_key(photo_id), CopySource={"Bucket": self._bucket, "Key": key}
        )

    def put_file(self, key: str, path: str, declared: Declared) -> None:
        """Upload a local file to `key` with what is known of it (an import; multipart when large)."""
        self._client.upload_file(path, self._bucket, key, ExtraArgs={"Metadata": _metadata(declared)})

    def copy_in(self, key: str, *, bucket: str, source_key: str, filename: str) -> None:
        """Copy another bucket's object to `key`, inside S3 (an import)."""
        self._client.copy(
            {"Bucket": bucket, "Key": source_key},
            self._bucket,
            key,
            ExtraArgs={"Metadata": {_FILENAME: quote(filename)}, "MetadataDirective": "REPLACE"},
        )

    def remove(self, key: str) -> None:
        """Delete the object (deleting a missing one is not an error)."""
        self._client.delete_object(Bucket=self._bucket, Key=key)

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            return getattr(self._client, operation)(**params)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "NoSuchUpload":
                raise NoSuchUpload(params["Key"]) from error
            if code in _PART_ERRORS:
                raise PartsRefused(_PART_ERRORS[code]) from error
            raise


def _metadata(declared: Declared) -> dict[str, str]:
    # S3 metadata is ASCII: the file name travels percent-encoded.
    return {_FILENAME: quote(declared.filename), _SIZE: str(declared.size), _SHA256: declared.sha256}
