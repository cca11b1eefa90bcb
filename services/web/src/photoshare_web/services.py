"""The external services a web process uses, made once and kept in app.extensions."""

from dataclasses import dataclass

from flask import current_app

from photoshare_shared.attention import AttentionIndex
from photoshare_shared.aws import make_table
from photoshare_shared.catalog import PhotoCatalog
from photoshare_shared.jobmetrics import JobMetrics
from photoshare_shared.jobs import JobPublisher
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore
from photoshare_shared.stores import build_store


@dataclass(frozen=True)
class Services:
    """Settings plus the S3 store, DynamoDB catalog, job publisher and job metrics."""

    settings: Settings
    store: PhotoStore
    catalog: PhotoCatalog
    attention: AttentionIndex
    publisher: JobPublisher
    metrics: JobMetrics

    @classmethod
    def from_settings(cls, settings: Settings) -> "Services":
        """Make every client from settings."""
        table = make_table(settings)
        return cls(
            settings=settings,
            store=build_store(settings),
            catalog=PhotoCatalog(table),
            attention=AttentionIndex(table),
            publisher=JobPublisher(settings),
            metrics=JobMetrics.from_settings(settings),
        )


def services() -> Services:
    """The current app's services."""
    return current_app.extensions["photoshare"]

