"""The one CloudWatch metrics publisher of a deployment: `python -m photoshare_worker.metrics_publisher`.

Runs beside Celery beat (one per stack, like beat): a separate loop rather than a beat-scheduled
task, because a task would wait in the photos queue behind the very backlog it should report.
Against the emulator (AWS_ENDPOINT_URL set) it sends to the emulator, like every other AWS call.
"""

import argparse
import logging
import time
from collections.abc import Sequence

import redis
from botocore.exceptions import BotoCoreError, ClientError

from photoshare_shared import cloudmetrics
from photoshare_shared.aws import make_client
from photoshare_shared.backends import Backends
from photoshare_shared.settings import Settings

log = logging.getLogger("photoshare.metrics")


def publish_once(backends: Backends, cloudwatch: object) -> bool:
    """Send one minute's figures; a failure is logged and the next minute tries again."""
    try:
        figures = cloudmetrics.publish(cloudwatch, backends)
    except (redis.RedisError, ClientError, BotoCoreError, OSError) as error:
        log.warning("could not publish metrics: %s", error)
        return False
    log.info("published %s", " ".join(f"{name}={value:g}" for name, value in figures.items()))
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Publish every PHOTOSHARE_METRICS_INTERVAL_S seconds (or once, with --once)."""
    args = _args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    backends = Backends.from_settings(settings)
    cloudwatch = make_client("cloudwatch", settings)
    while True:
        started = time.monotonic()
        sent = publish_once(backends, cloudwatch)
        if args.once:
            return 0 if sent else 1
        time.sleep(max(0.0, settings.metrics_interval_s - (time.monotonic() - started)))


def _args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m photoshare_worker.metrics_publisher", description=__doc__)
    parser.add_argument("--once", action="store_true", help="publish one minute's figures and exit")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
