"""The S3 store: originals and thumbnails under keys the server makes."""

import os
from typing import IO, Any
from urllib.parse import urlsplit

from boto3.s3.transfer import TransferConfig

from photoshare_shared import keys
from photoshare_shared.imageformats import THUMBNAIL_SPECS, ThumbnailSpec

# Files above 8 MB go up as multipart uploads in 5 MB parts, one after the other. From a named file
# each part is read from disk as it is sent; from any other stream boto3 copies each part into memory.
_TRANSFER = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, use_threads=False)


class PhotoStore:
    """Photo objects in one private bucket.

    `signer` is a client configured with the endpoint browsers reach; signing is local, so
    making URLs costs no request.
    """

    def __init__(self, client: Any, bucket: str, *, signer: Any | None = None, url_ttl_s: int = 900):
        self._client = client
        self.signer = signer or client
        self._bucket = bucket
        self._url_ttl_s = url_ttl_s

    @property
    def client(self) -> Any:
        """The S3 client it reads and writes with (tests look into the bucket and count calls through it)."""
        return self._client

    def put_original(self, *, photo_id: str, body: IO[bytes], content_type: str) -> None:
        """Stream an original to S3 (multipart when large); from disk when `body` is a named file."""
        key, extra = keys.original_key(photo_id), {"ContentType": content_type}
        path = getattr(body, "name", None)
        if isinstance(path, str) and os.path.isfile(path):
            body.flush()  # what the web wrote must be on disk before boto3 reads it by name
            self._client.upload_file(path, self._bucket, key, ExtraArgs=extra, Config=_TRANSFER)
        else:
            self._client.upload_fileobj(body, self._bucket, key, ExtraArgs=extra, Config=_TRANSFER)

    def read_original(self, *, photo_id: str) -> bytes:
        """The original's bytes (the worker decodes from memory)."""
        return self.open_original(photo_id=photo_id).read()

    def open_original(self, *, photo_id: str) -> Any:
        """The original as a stream (botocore StreamingBody) to pass on without holding it."""
        return self._client.get_object(Bucket=self._bucket, Key=keys.original_key(photo_id))["Body"]

    def put_thumbnail(self, *, photo_id: str, spec: ThumbnailSpec, data: bytes) -> str:
        """Store one derivative under its fixed key (rewriting it is idempotent); return the key."""
        key = keys.thumbnail_key(photo_id, spec)
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=data,
            ContentType=spec.content_type,
            CacheControl="private, max-age=31536000, immutable",
        )
        return key

    def delete_photo(self, *, photo_id: str) -> None:
        """Delete the original and every derivative in one request; missing objects are fine."""
        objects = [{"Key": keys.original_key(photo_id)}]
        objects += [{"Key": keys.thumbnail_key(photo_id, spec)} for spec in THUMBNAIL_SPECS]
        self._client.delete_objects(Bucket=self._bucket, Delete={"Objects": objects, "Quiet": True})

    def delete_thumbnails(self, *, photo_id: str) -> None:
        """Delete a photo's derivatives (a worker cleaning up after a concurrent delete)."""
        objects = [{"Key": keys.thumbnail_key(photo_id, spec)} for spec in THUMBNAIL_SPECS]
        self._client.delete_objects(Bucket=self._bucket, Delete={"Objects": objects, "Quiet": True})

    def thumbnail_url(self, key: str) -> str:
        """A short-lived URL a browser can show inline."""
        return self._presign({"Bucket": self._bucket, "Key": key})

    @property
    def browser_origin(self) -> str:
        """The scheme://host[:port] that presigned URLs point browsers at (for the CSP)."""
        parts = urlsplit(self.signer.meta.endpoint_url)
        return f"{parts.scheme}://{parts.netloc}"

    def ping(self) -> None:
        """Raise unless the bucket answers."""
        self._client.head_bucket(Bucket=self._bucket)

    def _presign(self, params: dict[str, str]) -> str:
        return self.signer.generate_presigned_url("get_object", Params=params, ExpiresIn=self._url_ttl_s)
