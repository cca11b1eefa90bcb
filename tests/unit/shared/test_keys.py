from photoshare_shared import keys
from photoshare_shared.imageformats import LARGE, SMALL


def test_ids_are_unique_sortable_and_recognised():
    ids = [keys.new_photo_id() for _ in range(50)]
    assert len(set(ids)) == 50 and all(keys.is_photo_id(i) for i in ids)
    assert ids[0][:10] <= ids[-1][:10]  # time prefix does not go backwards


def test_keys_are_made_from_the_id_only():
    assert keys.original_key("01ABC") == "originals/01ABC"
    assert keys.thumbnail_key("01ABC", SMALL) == "thumbnails/01ABC/small.webp"
    assert keys.thumbnail_key("01ABC", LARGE) == "thumbnails/01ABC/large.jpg"


def test_anything_else_is_not_an_id():
    for value in ["", "../../etc/passwd", "01abc", "0" * 27, "01HZZZZZZZZZZZZZZZZZZZZZZU"]:
        assert not keys.is_photo_id(value)
