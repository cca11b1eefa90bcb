"""Property: mutated JPEG/PNG/WebP bytes never break the service (real web, worker, Redis, moto)."""

import os
from io import BytesIO

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.support.client import ApiClient
from tests.support.waiting import SETTLED

pytestmark = pytest.mark.integration


def _seed(fmt: str) -> bytes:
    image = Image.new("RGB", (96, 64), (30, 120, 200))
    image.paste((220, 40, 40), (0, 0, 48, 32))
    out = BytesIO()
    image.save(out, fmt)
    return out.getvalue()


SEEDS = [_seed("JPEG"), _seed("PNG"), _seed("WEBP")]

# A mutation is (kind, position as a fraction of the length, a byte value, a length).
mutation = st.tuples(
    st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=0, max_value=255),
    st.integers(min_value=1, max_value=64),
)


def mutate(data: bytes, mutations: list[tuple[str, float, int, int]]) -> bytes:
    buffer = bytearray(data)
    for kind, where, value, length in mutations:
        at = min(int(where * len(buffer)), max(len(buffer) - 1, 0))
        if kind == "flip" and buffer:
            buffer[at] ^= value or 1
        elif kind == "truncate":
            del buffer[at:]
        elif kind == "insert":
            buffer[at:at] = bytes([value]) * length
        elif kind == "delete":
            del buffer[at : at + length]
        elif kind == "duplicate":
            buffer[at:at] = buffer[at : at + length]
    return bytes(buffer)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(range(len(SEEDS))), mutations=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_images_get_an_answer_and_a_final_state(api: ApiClient, seed: int, mutations) -> None:
    data = mutate(SEEDS[seed], mutations)
    response = api.post(api.url("/api/photos"), files={"file": ("fuzz.jpg", data)}, timeout=30)

    event(f"upload {response.status_code}")
    assert response.status_code in (200, 202) or 400 <= response.status_code < 500, response.text
    assert "error" in response.json() or response.status_code in (200, 202)
    if response.status_code in (200, 202):  # 200: the same bytes came up before, {"duplicate_of": photo}
        photo_id = response.json()["id"] if response.status_code == 202 else response.json()["duplicate_of"]["id"]
        photo = api.wait_for(photo_id, SETTLED, timeout=30)
        event(f"final {photo['status']}")
        if photo["status"] == "FAILED":
            assert photo["error"], "a failed photo must say why"


def test_the_worker_still_serves_after_the_fuzzing(api: ApiClient) -> None:
    fresh = SEEDS[0] + os.urandom(16)  # after the image's end: a new photo, not the fuzzing's seed again
    response = api.post(api.url("/api/photos"), files={"file": ("ok.jpg", fresh)}, timeout=30)
    assert response.status_code == 202
    assert api.wait_for(response.json()["id"], {"READY"}, timeout=30)["status"] == "READY"
