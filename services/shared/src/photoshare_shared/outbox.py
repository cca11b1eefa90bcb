"""Jobs Redis could not take: kept in the catalog (attention key UNSENT) and sent once it answers.

A QUEUED photo is either in Redis or marked unsent in its item, so a broker outage loses no job
and refuses no upload. Sending an unsent job first claims it with a conditional update, so when
several processes send at once each job is sent by exactly one of them.
"""

import logging

from kombu.exceptions import OperationalError

from photoshare_shared.catalog.attention import AttentionIndex
from photoshare_shared.catalog.photos import PhotoCatalog
from photoshare_shared.jobqueue import JobPublisher

log = logging.getLogger(__name__)

# What publishing raises when Redis is down, refuses connections or does not answer in time.
BROKER_DOWN = (OperationalError, OSError)


class JobOutbox:
    """Sends photo jobs to Redis, keeping in DynamoDB those it cannot send yet."""

    def __init__(self, *, catalog: PhotoCatalog, attention: AttentionIndex, publisher: JobPublisher) -> None:
        self._catalog = catalog
        self._attention = attention
        self._publisher = publisher

    def send(self, photo_id: str) -> bool:
        """Enqueue a QUEUED photo's job, or keep it as unsent when Redis is down (then False).

        Raises only if DynamoDB fails too: then the job is neither in Redis nor recorded.
        """
        try:
            self._publisher.enqueue_photo(photo_id=photo_id)
        except BROKER_DOWN as error:
            log.warning("photo %s: job kept to send later, Redis is unavailable: %s", photo_id, error)
            self.keep(photo_id)
            return False
        return True

    def keep(self, photo_id: str) -> None:
        """Record a QUEUED photo's job as unsent without trying Redis."""
        self._catalog.mark_unsent(photo_id=photo_id)

    def send_unsent(self, *, limit: int) -> int:
        """Send up to `limit` unsent jobs, oldest first; returns how many were found.

        Raises what the publisher raised (one of BROKER_DOWN) at the first job Redis refuses,
        which stays unsent, like every job after it.
        """
        found = self._attention.unsent(limit=limit)
        sent = 0
        try:
            for photo in found:
                if not self._catalog.claim_unsent(photo_id=photo.photo_id):
                    continue  # another process is sending it
                try:
                    self._publisher.enqueue_photo(photo_id=photo.photo_id)
                except BROKER_DOWN:
                    self.keep(photo.photo_id)
                    raise
                sent += 1
        finally:
            if sent:
                log.info("sent %d job(s) kept while Redis was unavailable", sent)
        return len(found)

    def broker_answers(self) -> bool:
        """True when Redis answers now (a cheap check before reading the catalog)."""
        try:
            self._publisher.ping()
        except BROKER_DOWN:
            return False
        return True
