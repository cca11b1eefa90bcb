"""Signed-out sessions, so that no copy of the cookie outlives the sign-out.

The cookie is the whole session and Cognito sees it only at the hourly renewal, where a revoked
refresh token is refused; but revocation can fail (Cognito unreachable), and then the renewal would
succeed. So a sign-out notes the session's id in Redis for as long as the session could live (its
refresh token's validity), and every request carrying a session cookie looks it up: one EXISTS.
"""

import logging
import time

import redis

from photoshare_shared.redisclient import OnTheSide

log = logging.getLogger(__name__)

KEY_PREFIX = "photoshare:signed-out:"
_MARGIN_S = 60  # past the session's end, for clocks a little apart


class SignOuts(OnTheSide):
    """The signed-out sessions, keyed by their session id (a random name; never the refresh token)."""

    def add(self, *, session_id: str, ends_at: float) -> None:
        """Refuse this session from now until it would have ended anyway (its refresh token expires)."""
        ttl = max(1, int(ends_at - time.time()) + _MARGIN_S)
        try:
            self._redis.set(KEY_PREFIX + session_id, 1, ex=ttl)
        except redis.RedisError as error:
            log.warning("sign-out not shared with other copies of the cookie (Redis: %s)", error)

    def contains(self, *, session_id: str) -> bool:
        """Whether this session was signed out. With Redis down, no: signing every browser out
        for a Redis outage would be worse than a copied cookie living on meanwhile."""
        try:
            return bool(self._redis.exists(KEY_PREFIX + session_id))
        except redis.RedisError as error:
            log.warning("could not check for a sign-out (Redis: %s)", error)
            return False
