"""The key that signs session cookies: compose's published development value serves only a site
published on this machine's loopback address; anywhere else the web refuses to start."""

import re
from pathlib import Path

import pytest
import yaml

from photoshare_web.signing import PUBLISHED_SECRET_KEYS, UnsafeSecretKey

COMPOSE = yaml.safe_load((Path(__file__).parents[3] / "compose.yaml").read_text())
COMPOSE_ENV = COMPOSE["x-app-environment"]


def compose_default(value: str) -> str:
    """The value compose uses when the variable is not set: ${NAME:-default} -> default."""
    return re.fullmatch(r"\$\{\w+:-([^}]*)\}", value).group(1)


def test_compose_s_default_secret_key_is_known_as_published():
    assert compose_default(COMPOSE_ENV["PHOTOSHARE_SECRET_KEY"]) in PUBLISHED_SECRET_KEYS


def test_compose_tells_the_web_the_address_its_port_is_published_on():
    """The web listens on 0.0.0.0 inside its container; what counts is the host address compose
    publishes the site's port on, so the web is told that same expression."""
    published = [
        port for service in COMPOSE["services"].values() for port in service.get("ports", []) if "WEB_PORT" in port
    ]
    assert published, "no service publishes ${WEB_PORT}"
    for port in published:
        assert port.startswith(COMPOSE_ENV["PHOTOSHARE_PUBLISHED_ADDRESS"] + ":")
    assert compose_default(COMPOSE_ENV["PHOTOSHARE_PUBLISHED_ADDRESS"]) == "127.0.0.1"


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.0.2.10", "photos.example.com", None])
def test_the_published_default_secret_key_is_refused_beyond_loopback(make_app, address):
    with pytest.raises(UnsafeSecretKey, match="PHOTOSHARE_SECRET_KEY is a published development value"):
        make_app(secret_key=next(iter(PUBLISHED_SECRET_KEYS)), published_address=address)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_the_published_default_secret_key_serves_a_site_on_loopback(make_app, address):
    app = make_app(secret_key=next(iter(PUBLISHED_SECRET_KEYS)), published_address=address)
    assert app.test_client().get("/healthz").status_code == 200


def test_a_secret_key_of_ones_own_serves_any_address(make_app):
    app = make_app(secret_key="a-long-random-value-of-this-site", published_address="0.0.0.0")
    assert app.secret_key == "a-long-random-value-of-this-site"
