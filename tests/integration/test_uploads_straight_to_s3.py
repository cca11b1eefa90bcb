"""Direct uploads on the real stack: objects put into the bucket by anyone become photos, the CLI
sends straight to S3 through moto's server, and an interrupted 20 MB upload resumes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from photoshare_cli.resume import ResumeBook
from photoshare_cli.site import Site
from photoshare_cli.upload import Result, Uploader

from photoshare_shared import keys
from tests.support.images import photo_bytes

if TYPE_CHECKING:
    from collections.abc import Callable

    from photoshare_devstack.stack import DevStack
    from tests.support.client import ApiClient

pytestmark = pytest.mark.integration

MB = 1024 * 1024


def signed_in_site(stack: DevStack, owner: ApiClient) -> Site:
    site = Site(stack.web_url)
    site.sign_in(owner.account.username, owner.account.password)
    return site


def photos_of(owner: ApiClient) -> list[dict]:
    return owner.get(owner.url("/api/photos?owner=me"), timeout=10).json()["items"]


def wait_for_photos(owner: ApiClient, count: int, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = photos_of(owner)
        if len(found) >= count and all(p["status"] in ("READY", "FAILED") for p in found):
            return found
        time.sleep(0.2)
    pytest.fail(f"expected {count} settled photos, have {photos_of(owner)}")


def test_an_object_copied_into_the_bucket_becomes_a_ready_photo(stack: DevStack, new_account: Callable[[], ApiClient]):
    owner = new_account()
    # What `aws s3 cp IMG_0001.jpg s3://<bucket>/uploads/<username>/` does.
    stack.s3.put_object(
        Bucket=stack.settings.bucket, Key=f"uploads/{owner.account.username}/IMG_0001.jpg", Body=photo_bytes()
    )
    stack.s3.put_object(
        Bucket=stack.settings.bucket, Key=f"uploads/{owner.account.username}/notes.jpg", Body=b"not a photo"
    )

    photos = {p["filename"]: p for p in wait_for_photos(owner, 2)}

    assert photos["IMG_0001.jpg"]["status"] == "READY"
    assert photos["IMG_0001.jpg"]["content_type"] == "image/jpeg"
    assert photos["notes.jpg"]["status"] == "FAILED" and "not a readable image" in photos["notes.jpg"]["error"]
    assert keys.original_key(photos["notes.jpg"]["id"]) not in stack.s3_keys()  # its bytes are removed
    assert not stack.s3_keys(f"uploads/{owner.account.username}/")


def test_the_cli_sends_straight_to_s3_and_skips_what_is_there(
    stack: DevStack, new_account: Callable[[], ApiClient], tmp_path: Path
):
    owner = new_account()
    for n in range(3):
        (tmp_path / f"{n}.jpg").write_bytes(photo_bytes())
    book = ResumeBook(tmp_path / "resume.json", site=stack.web_url, username=owner.account.username)
    paths = sorted(tmp_path.glob("*.jpg"))

    first = Uploader(signed_in_site(stack, owner), book, show_progress=False).run(paths)
    again = Uploader(signed_in_site(stack, owner), book, show_progress=False).run(paths)

    assert first.count(Result.UPLOADED) == 3 and again.count(Result.DUPLICATE) == 3
    assert {p["status"] for p in wait_for_photos(owner, 3)} == {"READY"}
    assert len(photos_of(owner)) == 3  # completion and the S3 event made one photo each


class CutOff(Site):
    """A client whose connection drops once 60 % of the file has left it: in the middle of part 3
    of 4 (5 MB parts), the worst place for a part-at-a-time client."""

    def __init__(self, *args, cut_at: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cut_at = cut_at
        self.sent = 0

    def put_part(self, url: str, data: bytes) -> str:
        if self.sent + len(data) > self.cut_at:
            self.sent = self.cut_at  # what left before the drop; S3 keeps no partial part
            raise KeyboardInterrupt
        self.sent += len(data)
        return super().put_part(url, data)


def test_a_20_mb_upload_cut_at_60_percent_resumes_with_at_most_a_tenth_more(
    stack: DevStack, new_account: Callable[[], ApiClient], tmp_path: Path
):
    owner = new_account()
    path = tmp_path / "big.jpg"
    image = photo_bytes(2000, 1500)
    path.write_bytes(image + b"\0" * (20 * MB - len(image)))  # 20 MB; JPEG readers stop at the end marker
    size = path.stat().st_size
    book = ResumeBook(tmp_path / "resume.json", site=stack.web_url, username=owner.account.username)
    cut = CutOff(stack.web_url, cut_at=int(size * 0.6))
    cut.sign_in(owner.account.username, owner.account.password)

    with pytest.raises(KeyboardInterrupt):
        Uploader(cut, book, jobs=1, part_jobs=1, show_progress=False).run([path])
    resumed = Uploader(signed_in_site(stack, owner), book, show_progress=False).run([path])

    assert resumed.count(Result.UPLOADED) == 1 and resumed.outcomes[0].resumed
    total = cut.sent + resumed.bytes_sent
    assert total <= 1.1 * size, f"{total / size:.3f} x the file"
    [photo] = wait_for_photos(owner, 1)
    assert (photo["status"], photo["size_bytes"]) == ("READY", size)
