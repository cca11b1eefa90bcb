"""`photoshare upload`: folders, duplicates, several parts at once, resuming after Ctrl-C, summary.

The site is the Flask app behind a requests adapter (so the client's own HTTP code runs); its
part PUTs go to moto like S3.
"""

import hashlib

import pytest
import requests
from photoshare_cli.files import collect
from photoshare_cli.main import summary_text
from photoshare_cli.resume import ResumeBook
from photoshare_cli.site import Site
from photoshare_cli.upload import Result, Uploader
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from tests.support.images import photo_bytes

SITE = "http://photoshare.test"
MB = 1024 * 1024


class FlaskAdapter(BaseAdapter):
    """Sends a requests.Session's requests to a Flask test client, counting the bytes it receives."""

    def __init__(self, app) -> None:
        super().__init__()
        self._client = app.test_client()
        self.received = 0

    def send(self, request, **kwargs):
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        self.received += len(body)
        answer = self._client.open(request.path_url, method=request.method, headers=dict(request.headers), data=body)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.get_data()
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def app(make_app):
    return make_app(max_upload_mb=16, upload_part_mb=5)


@pytest.fixture
def adapter(app):
    return FlaskAdapter(app)


@pytest.fixture
def site(adapter, alice) -> Site:
    session = requests.Session()
    session.mount(SITE, adapter)
    made = Site(SITE, session=session)
    made.sign_in(alice.username, alice.password)
    return made


@pytest.fixture
def book(tmp_path) -> ResumeBook:
    return ResumeBook(tmp_path / "uploads.json", site=SITE, username="alice")


def uploader(site, book) -> Uploader:
    return Uploader(site, book, jobs=2, part_jobs=2, show_progress=False)


def test_a_folder_goes_up_recursively_and_a_second_run_finds_every_photo_there(tmp_path, site, book, catalog, alice):
    folder = tmp_path / "photos"
    (folder / "2026" / "june").mkdir(parents=True)
    (folder / "a.jpg").write_bytes(photo_bytes())
    (folder / "2026" / "june" / "b.JPEG").write_bytes(photo_bytes())
    (folder / "notes.txt").write_text("not a photo")
    (folder / ".thumbs").mkdir()
    (folder / ".thumbs" / "c.jpg").write_bytes(photo_bytes())
    paths = collect([folder])
    assert sorted(p.name for p in paths) == ["a.jpg", "b.JPEG"]

    first = uploader(site, book).run(paths)
    again = uploader(site, book).run(paths)

    assert first.count(Result.UPLOADED) == 2
    assert again.count(Result.DUPLICATE) == 2 and again.bytes_sent == 0
    assert {o.detail for o in first.outcomes} == {o.detail for o in again.outcomes}
    assert len(catalog.page(limit=10, owner_id=alice.sub).photos) == 2  # private: the account's own list
    assert summary_text(again).startswith("uploaded 0, already there 2, refused 0")


def test_the_web_carries_no_photo_bytes(tmp_path, site, book, adapter):
    path = tmp_path / "big.jpg"
    path.write_bytes(photo_bytes() + b"\0" * (12 * MB))  # three parts
    before = adapter.received

    summary = uploader(site, book).run([path])

    assert summary.count(Result.UPLOADED) == 1
    assert summary.bytes_sent == path.stat().st_size
    assert adapter.received - before < 4096  # JSON only: the bytes went to S3


def test_a_run_cut_short_resumes_sending_only_the_missing_parts(tmp_path, site, book, monkeypatch):
    path = tmp_path / "big.jpg"
    path.write_bytes(photo_bytes() + b"\1" * (12 * MB))
    size = path.stat().st_size
    real_put = Site.put_part
    puts = []

    def put_then_ctrl_c(self, url, data):
        if len(puts) == 2:
            raise KeyboardInterrupt
        puts.append(len(data))
        return real_put(self, url, data)

    monkeypatch.setattr(Site, "put_part", put_then_ctrl_c)
    first = Uploader(site, book, jobs=1, part_jobs=1, show_progress=False)
    with pytest.raises(KeyboardInterrupt):
        first.run([path])
    assert book.upload_id(hashlib.sha256(path.read_bytes()).hexdigest()) is not None

    monkeypatch.setattr(Site, "put_part", real_put)
    second = uploader(site, book).run([path])

    assert second.count(Result.UPLOADED) == 1
    assert second.outcomes[0].resumed
    assert sum(puts) + second.bytes_sent <= 1.1 * size
    assert second.bytes_sent == size - sum(puts)


def test_refused_files_are_listed_with_their_reasons(tmp_path, site, book):
    big = tmp_path / "huge.jpg"
    big.write_bytes(b"\0" * (17 * MB))
    fine = tmp_path / "fine.jpg"
    fine.write_bytes(photo_bytes())

    summary = uploader(site, book).run([big, fine])

    assert summary.count(Result.UPLOADED) == 1
    [refused] = [o for o in summary.outcomes if o.result is Result.REFUSED]
    assert refused.path == big and "16 MB limit" in refused.detail
    assert "refused 1" in summary_text(summary) and "huge.jpg: The file is larger" in summary_text(summary)
