"""The upload consumer: every object written under `uploads/<username>/` becomes a photo.

S3 notifies the SQS queue `PHOTOSHARE_UPLOAD_QUEUE` of each object created there, whoever wrote
it (a presigned upload, `aws s3 cp`, another program). This process reads the queue, lands each
object as a photo of the account its key names (photoshare_shared.landing, idempotent: S3 delivers
events at least once, and the web's completion may have landed it first) and sends its job.

A message is deleted only once every record in it is handled; one that keeps failing goes to the
dead-letter queue after the queue's maxReceiveCount. `--check` is the health probe: it passes while
the loop has polled within the last two minutes.

    python -m photoshare_worker.consumer [--check]
"""

import argparse
import json
import logging
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from photoshare_shared import keys
from photoshare_shared.aws import make_client
from photoshare_shared.backends import Backends
from photoshare_shared.landing import Landed, NotLanded, Owner
from photoshare_shared.settings import Settings
from photoshare_shared.userpool import find_user_pool
from photoshare_worker.arrivals import land_arrival

log = logging.getLogger("photoshare_worker.consumer")

HEARTBEAT = Path("/tmp/photoshare-consumer.alive")
_STALE_AFTER_S = 120
_WAIT_S = 20  # SQS long polling: one request per 20 s while idle


@dataclass(frozen=True)
class ObjectCreated:
    """One S3 "object created" record."""

    bucket: str
    key: str


def created_objects(body: str) -> list[ObjectCreated]:
    """The object-created records of one message (none for S3's test event or other events)."""
    try:
        message = json.loads(body)
    except ValueError:
        log.warning("ignoring a message that is not JSON: %.200s", body)
        return []
    found = []
    for record in message.get("Records", []) if isinstance(message, dict) else []:
        try:
            if record["eventSource"] == "aws:s3" and record["eventName"].startswith("ObjectCreated:"):
                found.append(
                    ObjectCreated(record["s3"]["bucket"]["name"], keys.event_key(record["s3"]["object"]["key"]))
                )
        except (KeyError, TypeError, AttributeError):
            log.warning("ignoring a record that is not an S3 event: %.200s", record)
    return found


class Accounts:
    """Username → account, from the user pool (kept for the life of the process: usernames and subs
    never change)."""

    def __init__(self, settings: Settings, cognito: Any = None) -> None:
        self._settings = settings
        self._cognito = cognito or make_client("cognito-idp", settings)
        self._pool_id: str | None = None
        self._known: dict[str, Owner | None] = {}

    def owner(self, username: str) -> Owner | None:
        """The account called `username`, or None when there is none."""
        if username not in self._known:
            self._known[username] = self._look_up(username)
        return self._known[username]

    def _look_up(self, username: str) -> Owner | None:
        if self._pool_id is None:
            ids = find_user_pool(self._settings, self._cognito)
            if ids is None:
                raise RuntimeError(f"no user pool named {self._settings.cognito_pool_name}")
            self._pool_id = ids.user_pool_id
        try:
            user = self._cognito.admin_get_user(UserPoolId=self._pool_id, Username=username)
        except self._cognito.exceptions.UserNotFoundException:
            return None
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return Owner(sub=attributes["sub"], username=user["Username"])


def handle(created: ObjectCreated, *, backends: Backends, accounts: Accounts) -> Landed | None:
    """Land one object as a photo and send its job; None when the object is not one to land."""
    if created.bucket != backends.settings.bucket:
        log.warning("ignoring an event of another bucket: %s", created.bucket)
        return None
    parsed = keys.parse_upload_key(created.key)
    if parsed is None:
        return None
    owner = accounts.owner(parsed[0])
    if owner is None:
        # Kept, not deleted: whoever wrote it may have mistyped the name; nothing is lost.
        log.warning("%s: no account named %r; the object is left where it is", created.key, parsed[0])
        return None
    try:
        landed = land_arrival(created.key, owner=owner, backends=backends)
    except NotLanded as refusal:
        log.warning("%s: not made a photo: %s", created.key, refusal)
        return None
    if landed.created:
        log.info("%s: photo %s queued", created.key, landed.photo.photo_id)
    elif landed.duplicate:
        log.info("%s: the same bytes as photo %s; removed", created.key, landed.photo.photo_id)
    return landed


class Consumer:
    """Reads the upload queue and lands what it announces."""

    def __init__(self, backends: Backends, *, sqs: Any = None, accounts: Accounts | None = None) -> None:
        self._services = backends
        self._sqs = sqs or make_client("sqs", backends.settings)
        self._accounts = accounts or Accounts(backends.settings)
        self._queue_url: str | None = None
        self._stop = False

    @property
    def queue_url(self) -> str:
        """The queue's URL, looked up by name once."""
        if self._queue_url is None:
            self._queue_url = self._sqs.get_queue_url(QueueName=self._services.settings.upload_queue)["QueueUrl"]
        return self._queue_url

    def poll_once(self, *, wait_s: int = _WAIT_S) -> int:
        """Receive up to ten messages and handle them; how many were handled and deleted."""
        answer = self._sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s)
        done = 0
        for message in answer.get("Messages", []):
            try:
                for created in created_objects(message["Body"]):
                    handle(created, backends=self._services, accounts=self._accounts)
            except (BotoCoreError, ClientError):
                # Left in the queue: it comes back after the visibility timeout, then to the DLQ.
                log.exception("message %s: failed, it will be delivered again", message["MessageId"])
                continue
            self._sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            done += 1
        return done

    def run(self) -> None:
        """Poll until SIGTERM or SIGINT, touching the heartbeat file after each poll."""
        signal.signal(signal.SIGTERM, self._request_stop)
        signal.signal(signal.SIGINT, self._request_stop)
        log.info("reading %s", self._services.settings.upload_queue)
        while not self._stop:
            try:
                self.poll_once()
                HEARTBEAT.touch()
            except (BotoCoreError, ClientError):
                log.exception("receiving from the upload queue failed; trying again in 5 s")
                time.sleep(5)

    def _request_stop(self, signum: int, frame: object) -> None:
        log.info("stopping after this poll")
        self._stop = True


def healthy(now: float | None = None) -> bool:
    """True while the loop has polled recently."""
    try:
        return (now or time.time()) - HEARTBEAT.stat().st_mtime < _STALE_AFTER_S
    except FileNotFoundError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Run the consumer, or (`--check`) exit 0 only while it is healthy."""
    parser = argparse.ArgumentParser(prog="python -m photoshare_worker.consumer", description=__doc__)
    parser.add_argument("--check", action="store_true", help="health probe: exit 0 while polling")
    args = parser.parse_args(argv)
    if args.check:
        return 0 if healthy() else 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    Consumer(Backends.from_settings(Settings())).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
