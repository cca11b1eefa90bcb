"""The key that signs session cookies and CSRF tokens, refused where anyone could know it."""

import ipaddress
import secrets

from photoshare_shared.settings import Settings

# Secret keys published with Photoshare (compose.yaml's out-of-the-box value): anyone who reads
# them can sign a session cookie for any account, so they may serve only a site nobody else reaches.
PUBLISHED_SECRET_KEYS = frozenset({"dev-only-not-secret-change-me"})


class UnsafeSecretKey(RuntimeError):
    """The configured secret key is public and the site is published beyond this machine."""


def signing_key(settings: Settings) -> str:
    """The configured secret key; a random one when unset (then each web process has its own)."""
    if settings.secret_key is None:
        return secrets.token_hex(32)
    if settings.secret_key in PUBLISHED_SECRET_KEYS and not is_loopback(settings.published_address):
        raise UnsafeSecretKey(
            "PHOTOSHARE_SECRET_KEY is a published development value, and the site is published on "
            f"{settings.published_address or 'an address not given'} (PHOTOSHARE_PUBLISHED_ADDRESS; compose "
            "sets it from WEB_BIND): anyone could sign themselves in as any account. Set PHOTOSHARE_SECRET_KEY "
            "to a long random value (openssl rand -hex 32), or publish on 127.0.0.1 only."
        )
    return settings.secret_key


def is_loopback(address: str | None) -> bool:
    """Whether a published address (an IP address, or localhost) reaches only this machine."""
    if address is None:
        return False  # not told: assume the worst
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost
