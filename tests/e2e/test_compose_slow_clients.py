"""Slow clients cost the proxy a connection each, never the web a thread (issue 15).

Marked `compose`: run with `make test-compose`, on the stack of tests/e2e/conftest.py, through
its published port (the proxy's).
"""

import concurrent.futures
import http.client
import json
import random
import select
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image

from photoshare_shared.settings import MB, Settings
from photoshare_web.errors import too_large_message
from tests.support.images import distinct

UPLOADERS = 24
UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_BYTES_PER_S = 160 * 1024  # a phone on a weak uplink: about 13 s for one photo
UPLOAD_CHUNK = 16 * 1024
HALF_SENT = 16
HALF_SENT_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"  # and then nothing
AT_REST_S = 10.0  # about as long as the load lasts
MAX_SLOWDOWN = 2.0


def _jpeg_of_about(size: int) -> bytes:
    """A real JPEG of about `size` bytes (noise, so it barely compresses)."""
    side = int((size / 0.9) ** 0.5)  # noise at quality 90 takes about 0.9 bytes a pixel
    noise = random.Random(15).randbytes(side * side * 3)
    out = BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(out, "JPEG", quality=90)
    return out.getvalue()


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def _gallery_latency(url: str) -> float:
    started = time.monotonic()
    response = requests.get(url, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    return elapsed


def _slow_upload(stack, image: bytes, name: str, sending: threading.Barrier) -> tuple[int, bytes]:
    """POST one photo with the API session's token, its bytes paced at UPLOAD_BYTES_PER_S; status and body."""
    prepared = stack.api.upload_request(image, name)
    address = urlsplit(stack.web_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    connection.putrequest("POST", "/api/photos", skip_accept_encoding=True)
    for header, value in prepared.headers.items():
        connection.putheader(header, value)
    connection.endheaders()
    sending.wait()
    started = time.monotonic()
    body = prepared.body
    for offset in range(0, len(body), UPLOAD_CHUNK):
        connection.send(body[offset : offset + UPLOAD_CHUNK])
        ahead = started + (offset + UPLOAD_CHUNK) / UPLOAD_BYTES_PER_S - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    response = connection.getresponse()
    answer = response.status, response.read()
    connection.close()
    return answer


@contextmanager
def _half_sent_requests(stack, count: int) -> Iterator[dict[str, int]]:
    """`count` connections that each send half a request and then nothing, held open throughout:
    one the server drops (its header timeout) is replaced at once. Yields the drop count."""
    address = urlsplit(stack.web_url)
    dropped = {"count": 0}
    stop = threading.Event()

    def half_sent() -> socket.socket:
        sock = socket.create_connection((address.hostname, address.port), timeout=10)
        sock.sendall(HALF_SENT_REQUEST)
        return sock

    sockets = [half_sent() for _ in range(count)]

    def keep_them_open() -> None:
        while not stop.wait(0.1):
            # Readable means answered or closed: either way that one no longer holds anything.
            readable, _, _ = select.select(sockets, [], [], 0)
            for sock in readable:
                sockets[sockets.index(sock)] = half_sent()
                sock.close()
                dropped["count"] += 1

    keeper = threading.Thread(target=keep_them_open, daemon=True)
    keeper.start()
    try:
        yield dropped
    finally:
        stop.set()
        keeper.join()
        for sock in sockets:
            sock.close()


@pytest.mark.compose
@pytest.mark.timeout(600)
def test_slow_uploads_and_half_sent_requests_leave_the_gallery_fast(compose_stack):
    stack = compose_stack
    gallery = stack.url("/")
    image = _jpeg_of_about(UPLOAD_BYTES)
    assert abs(len(image) - UPLOAD_BYTES) < UPLOAD_BYTES // 5, len(image)
    _gallery_latency(gallery)  # warm up
    at_rest, rest_started = [], time.monotonic()
    while time.monotonic() - rest_started < AT_REST_S:
        at_rest.append(_gallery_latency(gallery))

    under_load, healthz = [], []
    sending = threading.Barrier(UPLOADERS + 1)
    with (
        _half_sent_requests(stack, HALF_SENT) as dropped,
        concurrent.futures.ThreadPoolExecutor(max_workers=UPLOADERS) as pool,
    ):
        uploads = [
            pool.submit(_slow_upload, stack, distinct(image), f"slow-{n}.jpg", sending) for n in range(UPLOADERS)
        ]
        sending.wait(timeout=60)  # every uploader is connected and has sent its headers
        load_started = time.monotonic()
        while not all(upload.done() for upload in uploads):
            under_load.append(_gallery_latency(gallery))
            if len(under_load) % 10 == 0:
                started = time.monotonic()
                assert requests.get(stack.url("/healthz"), timeout=10).status_code == 200
                healthz.append(time.monotonic() - started)
        load_s = time.monotonic() - load_started
        responses = [upload.result() for upload in uploads]

    rest_p95, load_p95 = _p95(at_rest), _p95(under_load)
    ratio = load_p95 / rest_p95
    figures = (
        f"gallery p95 at rest {rest_p95 * 1000:.0f} ms ({len(at_rest)} requests), "
        f"under load {load_p95 * 1000:.0f} ms ({len(under_load)} requests over {load_s:.1f} s), "
        f"ratio {ratio:.2f}; /healthz slowest {max(healthz) * 1000:.0f} ms; "
        f"half-sent requests dropped by the proxy and replaced: {dropped['count']}"
    )
    print(figures)
    stack.timings["slow_clients_gallery_p95_ratio"] = ratio
    assert [status for status, _ in responses] == [202] * UPLOADERS, responses
    assert ratio <= MAX_SLOWDOWN, figures
    ids = [json.loads(body)["id"] for _, body in responses]
    done = stack.wait_until_done(ids, timeout=180)
    assert {p["status"] for p in done.values()} == {"READY"}, {i: p["status"] for i, p in done.items()}


@pytest.mark.compose
def test_the_web_is_reached_only_through_the_proxy(compose_stack):
    (web,) = compose_stack.container_ids("web")
    published = subprocess.run(["docker", "port", web], capture_output=True, text=True, check=True).stdout
    assert published == ""


@pytest.mark.compose
def test_a_body_over_the_limit_gets_the_same_413_from_the_proxy_as_from_the_web(compose_stack):
    """Just over the limit, the web refuses it; far over, the proxy does, before the web sees it."""
    stack = compose_stack
    limit_mb = int(stack.env["PHOTOSHARE_MAX_UPLOAD_MB"])
    answers = {}
    for refused_by, size in (("web", limit_mb * MB + MB // 2), ("proxy", (limit_mb + 2) * MB)):
        response = stack.api.post(stack.url("/api/photos"), files={"file": ("big.jpg", bytes(size))}, timeout=60)
        assert response.status_code == 413, (refused_by, response.status_code, response.text[:300])
        assert response.headers["Content-Type"].startswith("application/json"), refused_by
        answers[refused_by] = response.json()
    assert answers["web"] == answers["proxy"] == {"error": too_large_message(Settings(max_upload_mb=limit_mb))}
