"""The external services a web process uses, made once and kept in app.extensions."""

from dataclasses import dataclass

from flask import current_app

from photoshare_shared.catalog import PhotoCatalog
from photoshare_shared.jobs import JobPublisher
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore
from photoshare_shared.stores import build_catalog, build_store


@dataclass(frozen=True)
class Services:
    """Settings plus the S3 store, DynamoDB catalog and job publisher."""

    settings: Settings
    store: PhotoStore
    catalog: PhotoCatalog
    publisher: JobPublisher

    @classmethod
    def from_settings(cls, settings: Settings) -> "Services":
        """Make every client from settings."""
        return cls(
            settings=settings,
            store=build_store(settings),
            catalog=build_catalog(settings),
            publisher=JobPublisher(settings),
        )


def services() -> Services:
    """The current app's services."""
    return current_app.extensions["photoshare"]
