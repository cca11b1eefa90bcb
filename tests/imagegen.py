"""Photos made by the tests themselves: camera-like JPEGs with EXIF, and other formats."""

from io import BytesIO

from PIL import ExifTags, Image, ImageDraw


def photo_bytes(
    width: int = 640,
    height: int = 480,
    *,
    format: str = "JPEG",
    orientation: int | None = None,
    exif: dict[int, object] | None = None,
    gps: dict[int, object] | None = None,
) -> bytes:
    """An image with a red block in its top-left corner (to check orientation) and gradients."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, max(1, width // 64)):
        draw.line(
            [(x, 0), (x, height)], fill=(x * 255 // width, 120, 255 - x * 255 // width), width=max(1, width // 64)
        )
    draw.rectangle([0, 0, width // 4, height // 4], fill=(255, 0, 0))
    tags = Image.Exif()
    if orientation:
        tags[ExifTags.Base.Orientation] = orientation
    for tag, value in (exif or {}).items():
        tags[tag] = value
    if gps:
        tags.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    out = BytesIO()
    if format == "JPEG":
        image.save(out, "JPEG", quality=90, exif=tags.tobytes())
    else:
        image.save(out, format)
    return out.getvalue()


CAMERA_EXIF = {ExifTags.Base.Make: "Canon", ExifTags.Base.Model: "Canon EOS R6"}
GPS_NORTH_EAST = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (48.0, 51.0, 29.4),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (2.0, 17.0, 40.2),
}
