"""Builds the S3 store, DynamoDB catalog and job publisher from settings."""

from photoshare_shared.aws import make_client, make_table
from photoshare_shared.catalog import PhotoCatalog
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore


def build_store(settings: Settings) -> PhotoStore:
    """The S3 store, signing URLs for the endpoint browsers reach."""
    client = make_client("s3", settings)
    signer = client
    if settings.s3_public_endpoint_url:
        signer = make_client("s3", settings, endpoint_url=settings.s3_public_endpoint_url)
    return PhotoStore(client, settings.bucket, signer=signer, url_ttl_s=settings.presigned_url_ttl_s)


def build_catalog(settings: Settings) -> PhotoCatalog:
    """The DynamoDB catalog."""
    return PhotoCatalog(make_table(settings))
