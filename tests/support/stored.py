"""What a photo leaves in the bucket, as the tests expect it."""


def ready_keys(photo_id: str) -> set[str]:
    """The exactly three objects of a READY photo: its original and one object per derivative."""
    return {f"originals/{photo_id}", f"thumbnails/{photo_id}/small.webp", f"thumbnails/{photo_id}/large.jpg"}
