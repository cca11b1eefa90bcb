"""`photoshare-import`: a folder or an S3 prefix becomes photos of one account, safe to run again."""

import pytest

from photoshare_shared import keys
from photoshare_shared.backends import Backends
from photoshare_shared.landing import Owner
from photoshare_worker import importer
from tests.support.images import photo_bytes


@pytest.fixture
def backends(settings, store, catalog, attention, publisher, metrics) -> Backends:
    return Backends(
        settings=settings, store=store, catalog=catalog, attention=attention, publisher=publisher, metrics=metrics
    )


@pytest.fixture
def owner(alice) -> Owner:
    return Owner(sub=alice.sub, username=alice.username)


def test_a_folder_is_imported_once_and_a_second_run_skips_everything(tmp_path, backends, owner, catalog, publisher):
    same = photo_bytes()
    (tmp_path / "trip").mkdir()
    (tmp_path / "a.jpg").write_bytes(photo_bytes())
    (tmp_path / "trip" / "b.png").write_bytes(photo_bytes(format="PNG"))
    (tmp_path / "trip" / "c.jpg").write_bytes(same)
    (tmp_path / "trip" / "c-copy.jpg").write_bytes(same)
    (tmp_path / "readme.txt").write_text("not a photo")

    first = importer.run(str(tmp_path), owner=owner, backends=backends, show_progress=False)
    again = importer.run(str(tmp_path), owner=owner, backends=backends, show_progress=False)

    assert importer.summary_text(first) == "imported 3, already there 1, refused 0"
    assert importer.summary_text(again) == "imported 0, already there 4, refused 0"
    photos = catalog.page(limit=10, owner_id=owner.sub).photos
    assert sorted(p.filename for p in photos) == ["a.jpg", "b.png", "c-copy.jpg"]  # c.jpg: the same bytes
    assert len(publisher.published) == 3


def test_an_s3_prefix_is_copied_in_and_registered(backends, owner, store, settings, catalog):
    s3 = store._client
    s3.create_bucket(Bucket="old-photos")
    s3.put_object(Bucket="old-photos", Key="2019/june/IMG_1.jpg", Body=photo_bytes())
    s3.put_object(Bucket="old-photos", Key="2019/IMG_2.jpeg", Body=photo_bytes())
    s3.put_object(Bucket="old-photos", Key="2020/IMG_3.jpg", Body=photo_bytes())

    counts = importer.run("s3://old-photos/2019/", owner=owner, backends=backends, show_progress=False)
    again = importer.run("s3://old-photos/2019/", owner=owner, backends=backends, show_progress=False)

    assert importer.summary_text(counts) == "imported 2, already there 0, refused 0"
    assert importer.summary_text(again) == "imported 0, already there 2, refused 0"
    photos = catalog.page(limit=10, owner_id=owner.sub).photos
    assert sorted(p.filename for p in photos) == ["IMG_1.jpg", "IMG_2.jpeg"]
    assert "Contents" not in s3.list_objects_v2(Bucket=settings.bucket, Prefix=keys.UPLOAD_PREFIX)
    assert len(s3.list_objects_v2(Bucket="old-photos")["Contents"]) == 3  # the source is left as it was


def test_too_large_files_are_refused_with_a_reason(tmp_path, backends, owner):
    (tmp_path / "huge.jpg").write_bytes(b"\0" * (backends.settings.max_upload_bytes + 1))
    counts = importer.run(str(tmp_path), owner=owner, backends=backends, show_progress=False)
    assert counts == {"refused: larger than the 2 MB limit": 1}


def test_a_missing_folder_is_an_error(backends, owner, tmp_path):
    with pytest.raises(FileNotFoundError):
        importer.run(str(tmp_path / "nope"), owner=owner, backends=backends)
