"""Target 6: direct uploads on a real local stack (moto server, redis-server, gunicorn, the
upload consumer; no worker, so only the upload path is measured and the jobs stay queued).

- bytes of request body the web receives per direct upload (counted on every request the client
  sends to the web), against the photo's size;
- N camera photos (the 12 MP JPEG, each made distinct) sent by `photoshare upload`'s Uploader
  (3 files × 4 parts at once) and by multipart `POST /api/photos` (3 at once, as the page did):
  wall time and the gunicorn processes' CPU per photo, as ratios direct / POST;
- a 20 MB upload whose connection drops at 60 % (mid-part), resumed: bytes sent in all / file.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from photoshare_cli.resume import ResumeBook
from photoshare_cli.site import Site
from photoshare_cli.upload import Result, Uploader

from bench.report import emit
from bench.stack import Stack, local_stack
from photoshare_shared.userpool import ensure_user, new_password
from tests.support.images import distinct

MB = 1024 * 1024


class CountingSite(Site):
    """The CLI's site client, counting request body bytes sent to the web, and able to drop its
    connection once `cut_at` bytes of parts have left it."""

    def __init__(self, base_url: str, *, cut_at: int | None = None) -> None:
        session = requests.Session()
        self.web_bytes = 0
        session.hooks["response"].append(self._count)
        super().__init__(base_url, session=session)
        self.cut_at = cut_at
        self.part_bytes = 0

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        body = response.request.body or b""
        self.web_bytes += len(body)

    def put_part(self, url: str, data: bytes) -> str:
        if self.cut_at is not None and self.part_bytes + len(data) > self.cut_at:
            self.part_bytes = self.cut_at  # what left before the drop; S3 keeps no partial part
            raise KeyboardInterrupt  # and every later part of this client fails the same way
        self.part_bytes += len(data)
        return super().put_part(url, data)


_USER = "bench-direct"


_PASSWORDS: dict[int, str] = {}


def _password(stack: Stack) -> str:
    """An account of its own for the direct path (duplicates are per account), made once per stack."""
    if id(stack) not in _PASSWORDS:
        assert stack.local.pool is not None
        _PASSWORDS[id(stack)] = new_password()
        ensure_user(
            stack.settings, stack.local.pool, username=_USER, password=_PASSWORDS[id(stack)], email="d@example.com"
        )
    return _PASSWORDS[id(stack)]


def _site(stack: Stack, **kwargs: Any) -> CountingSite:
    site = CountingSite(stack.local.web_url, **kwargs)
    site.sign_in(_USER, _password(stack))
    return site


def _web_cpu(stack: Stack) -> float:
    return sum(sum(w.cpu_times()[:2]) for w in stack.web_workers())


def _photos(photo: Path, folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"IMG_{n:04d}.jpg"
        path.write_bytes(distinct(photo.read_bytes()))
        paths.append(path)
    return paths


def bulk(stack: Stack, photo: Path, work: Path, count: int) -> dict[str, Any]:
    """`count` photos by the CLI's direct path and by multipart POST, same stack, same run."""
    direct_files, posted_files = _photos(photo, work / "direct", count), _photos(photo, work / "posted", count)
    site = _site(stack)
    book = ResumeBook(work / "resume.json", site=stack.local.web_url, username=_USER)
    # Both paths warm every web process first (imports, connections), outside the figures.
    Uploader(_site(stack), book, show_progress=False).run(_photos(photo, work / "warm-direct", 4))
    for path in _photos(photo, work / "warm-posted", 4):
        stack.upload(path, path.name)
    cpu0, t0 = _web_cpu(stack), time.perf_counter()
    summary = Uploader(site, book, jobs=3, part_jobs=4, show_progress=False).run(direct_files)
    direct_s, direct_cpu = time.perf_counter() - t0, _web_cpu(stack) - cpu0
    assert summary.count(Result.UPLOADED) == count, summary.outcomes[:3]

    def post(path: Path) -> None:
        with path.open("rb") as fh:
            answer = stack.api.post(
                stack.api.url("/api/photos"), files={"file": (path.name, fh, "image/jpeg")}, timeout=120
            )
        assert answer.status_code == 202, answer.text[:200]

    cpu0, t0 = _web_cpu(stack), time.perf_counter()
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(post, posted_files))
    post_s, post_cpu = time.perf_counter() - t0, _web_cpu(stack) - cpu0
    size = photo.stat().st_size
    return {
        "photos": count,
        "photo_mb": round(size / MB, 2),
        "direct_s": round(direct_s, 2),
        "post_s": round(post_s, 2),
        "wall_ratio": round(direct_s / post_s, 3),
        "direct_web_cpu_ms_per_photo": round(direct_cpu * 1000 / count, 1),
        "post_web_cpu_ms_per_photo": round(post_cpu * 1000 / count, 1),
        "web_cpu_ratio": round(direct_cpu / post_cpu, 3),
        "web_body_bytes_per_direct_upload": round(site.web_bytes / count),
        "web_bytes_share_of_photo": round(site.web_bytes / count / size, 5),
    }


def resume(stack: Stack, photo: Path, work: Path) -> dict[str, Any]:
    """A 20 MB file whose connection drops at 60 %, then resumed by a fresh client."""
    image = distinct(photo.read_bytes())
    path = work / "big.jpg"
    path.write_bytes(image + b"\0" * (20 * MB - len(image)))
    size = path.stat().st_size
    book = ResumeBook(work / "resume-big.json", site=stack.local.web_url, username=_USER)
    cut = _site(stack, cut_at=int(size * 0.6))
    try:
        Uploader(cut, book, jobs=1, part_jobs=1, show_progress=False).run([path])
    except KeyboardInterrupt:
        pass
    again = _site(stack)
    summary = Uploader(again, book, show_progress=False).run([path])
    assert summary.count(Result.UPLOADED) == 1 and summary.outcomes[0].resumed
    total = cut.part_bytes + again.part_bytes
    return {
        "file_mb": round(size / MB, 1),
        "sent_before_drop_mb": round(cut.part_bytes / MB, 2),
        "sent_on_resume_mb": round(again.part_bytes / MB, 2),
        "ratio": round(total / size, 3),
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photo", type=Path, required=True, help="the 12 MP camera JPEG")
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="photoshare-bench-direct-") as tmp:
        with local_stack(Path(tmp) / "stack") as stack:  # the stack runs the upload consumer
            results = {
                "bulk": bulk(stack, args.photo, Path(tmp), args.photos),
                "resume": resume(stack, args.photo, Path(tmp)),
            }
    emit(results, args.out)


if __name__ == "__main__":
    main()
