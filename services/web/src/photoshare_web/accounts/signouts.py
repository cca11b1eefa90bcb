"""Sessions signed out before their hour is up, so that no copy of the cookie outlives the sign-out.

The cookie is the whole session and Cognito sees it only at the hourly renewal. So a sign-out
notes a digest of the session's refresh token in Redis until that hour is over (Cognito refuses
the revoked token after it), and every request carrying a session cookie looks it up: one EXISTS.
"""

import hashlib
import logging
import time

import redis

from photoshare_shared.redisclient import redis_client
from photoshare_shared.settings import Settings

log = logging.getLogger(__name__)

KEY_PREFIX = "photoshare:signed-out:"
_MARGIN_S = 60  # past the session's renewal time, for clocks a little apart


class SignOuts:
    """The signed-out sessions, keyed by a digest of their refresh token (never the token itself)."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    @classmethod
    def from_settings(cls, settings: Settings) -> "SignOuts":
        """On the broker's Redis (see photoshare_shared.redisclient)."""
        return cls(redis_client(settings))

    def add(self, *, refresh_token: str, renews_at: float) -> None:
        """Refuse this session from now until its renewal, when Cognito takes over."""
        ttl = max(1, int(renews_at - time.time()) + _MARGIN_S)
        try:
            self._redis.set(_key(refresh_token), 1, ex=ttl)
        except redis.RedisError as error:
            log.warning("sign-out not shared with other copies of the cookie (Redis: %s)", error)

    def contains(self, *, refresh_token: str) -> bool:
        """Whether this session was signed out. With Redis down, no: signing every browser out
        for a Redis outage would be worse than a copied cookie living to its renewal."""
        try:
            return bool(self._redis.exists(_key(refresh_token)))
        except redis.RedisError as error:
            log.warning("could not check for a sign-out (Redis: %s)", error)
            return False


def _key(refresh_token: str) -> str:
    return KEY_PREFIX + hashlib.sha256(refresh_token.encode()).hexdigest()
