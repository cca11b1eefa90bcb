"""The Redis client for what a web request or a job reads and writes on the side (job figures,
sign-outs): on the broker's Redis, with short timeouts so a page never hangs on it."""

from typing import Self

import redis

from photoshare_shared.settings import Settings

_TIMEOUT_S = 2


def redis_client(settings: Settings) -> redis.Redis:
    """A client for settings.redis_url that gives up after a couple of seconds."""
    return redis.Redis.from_url(settings.redis_url, socket_timeout=_TIMEOUT_S, socket_connect_timeout=_TIMEOUT_S)


class OnTheSide:
    """A small store on that Redis (job figures, sign-outs), built from settings or a given client."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """On the broker's Redis, with the short timeouts above."""
        return cls(redis_client(settings))
