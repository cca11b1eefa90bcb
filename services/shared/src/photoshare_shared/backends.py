"""The backends web and worker talk to, built from settings: one repository per store (S3 store,
DynamoDB catalog, Redis job queue and job figures)."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from photoshare_shared.aws import make_client, make_table
from photoshare_shared.catalog.albums import AlbumCatalog
from photoshare_shared.catalog.attention import AttentionIndex
from photoshare_shared.catalog.links import LinkCatalog
from photoshare_shared.catalog.photos import PhotoCatalog
from photoshare_shared.catalog.preferences import AccountPreferences
from photoshare_shared.jobmetrics import JobMetrics
from photoshare_shared.jobqueue import JobPublisher
from photoshare_shared.outbox import JobOutbox
from photoshare_shared.photo import Visibility
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore
from photoshare_shared.uploadarea import UploadArea


def _s3_clients(settings: Settings) -> tuple[Any, Any]:
    """An S3 client for requests, and one that signs URLs for the endpoint browsers reach."""
    client = make_client("s3", settings)
    signer = client
    if settings.s3_public_endpoint_url:
        signer = make_client("s3", settings, endpoint_url=settings.s3_public_endpoint_url)
    return client, signer


def build_store(settings: Settings) -> PhotoStore:
    """The S3 store, signing URLs for the endpoint browsers reach."""
    client, signer = _s3_clients(settings)
    return PhotoStore(client, settings.bucket, signer=signer, url_ttl_s=settings.presigned_url_ttl_s)


def build_upload_area(settings: Settings) -> UploadArea:
    """The bucket's upload prefix, signing part URLs for the endpoint browsers reach."""
    client, signer = _s3_clients(settings)
    return UploadArea(client, settings.bucket, signer=signer, url_ttl_s=settings.presigned_url_ttl_s)


def build_catalog(settings: Settings) -> PhotoCatalog:
    """The DynamoDB catalog."""
    return PhotoCatalog(make_table(settings))


@dataclass(frozen=True)
class Backends:
    """Settings plus the S3 store, DynamoDB catalog and index, job publisher and job metrics."""

    settings: Settings
    store: PhotoStore
    catalog: PhotoCatalog
    attention: AttentionIndex
    publisher: JobPublisher
    metrics: JobMetrics

    @property
    def outbox(self) -> JobOutbox:
        """Sends jobs, keeping those Redis cannot take yet."""
        return JobOutbox(catalog=self.catalog, attention=self.attention, publisher=self.publisher)

    def send_new_photo(self, photo_id: str) -> bool:
        """Send a just-made photo's job (or keep it, then False), counted in the uploads figure once sent."""
        sent = self.outbox.send(photo_id)
        if sent:
            self.metrics.record_upload(photo_id=photo_id)
        return sent

    @property
    def albums(self) -> AlbumCatalog:
        """Albums and their photos, in the photo table."""
        return AlbumCatalog(self.catalog.table)

    @property
    def links(self) -> LinkCatalog:
        """Share links, in the photo table."""
        return LinkCatalog(self.catalog.table)

    @property
    def preferences(self) -> AccountPreferences:
        """Each account's default visibility, in the photo table."""
        return AccountPreferences(self.catalog.table, site_default=Visibility(self.settings.default_visibility))

    @cached_property
    def uploads(self) -> UploadArea:
        """Presigned multipart uploads and the objects they land (made on first use)."""
        return build_upload_area(self.settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Backends":
        """Make every client from settings (no request is sent until one is used)."""
        table = make_table(settings)
        return cls(
            settings=settings,
            store=build_store(settings),
            catalog=PhotoCatalog(table),
            attention=AttentionIndex(table),
            publisher=JobPublisher(settings),
            metrics=JobMetrics.from_settings(settings),
        )
