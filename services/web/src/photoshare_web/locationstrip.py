"""Taking the position out of an original without touching its pixels.

A JPEG keeps its GPS position in the GPS IFD of its EXIF segment (APP1), and often a copy in XMP
(another APP1). The GPS IFD is emptied in place (every value it points to zeroed, its entry count
set to 0), so no offset elsewhere in the EXIF moves, and XMP segments are dropped whole; the image
data is copied byte for byte. A PNG's eXIf chunk and XMP text chunk are dropped whole.
Other formats (HEIC, AVIF, WebP, GIF) are not rewritten: `LocationNotRemovable` says so, and the
caller refuses the download rather than re-encode the photo or hand out its position.
"""

import struct

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_GPS_IFD_TAG = 0x8825
_EXIF_HEADER = b"Exif\x00\x00"
_XMP_HEADERS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class LocationNotRemovable(ValueError):
    """The file's position cannot be removed without re-encoding it (or the file is malformed)."""


def without_location(data: bytes, content_type: str) -> bytes:
    """The same file with no GPS position in it; raise LocationNotRemovable when that cannot be done."""
    if content_type == "image/jpeg":
        return _jpeg(data)
    if content_type == "image/png":
        return _png(data)
    raise LocationNotRemovable(f"the position cannot be removed from a {content_type} file without re-encoding it")


def _jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise LocationNotRemovable("not a JPEG")
    out, at = [b"\xff\xd8"], 2
    while True:
        if at + 4 > len(data) or data[at] != 0xFF:
            raise LocationNotRemovable("malformed JPEG segment")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            out.append(b"\xff")
            at += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan (or end): the rest is image data
            out.append(data[at:])
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(data[at : at + 2])
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise LocationNotRemovable("malformed JPEG segment")
        body = data[at + 4 : end]
        if marker == 0xE1 and body.startswith(_XMP_HEADERS):
            at = end  # dropped whole: XMP may carry exif:GPSLatitude
            continue
        if marker == 0xE1 and body.startswith(_EXIF_HEADER):
            tiff = bytearray(body[len(_EXIF_HEADER) :])
            _empty_gps_ifd(tiff)
            body = _EXIF_HEADER + bytes(tiff)
        out.append(data[at : at + 4] + body)
        at = end


def _empty_gps_ifd(tiff: bytearray) -> None:
    """Zero the GPS IFD's values and entries in place, leaving an empty IFD at the same offset."""
    if tiff[:2] == b"II":
        order = "<"
    elif tiff[:2] == b"MM":
        order = ">"
    else:
        raise LocationNotRemovable("malformed EXIF")

    def read(fmt: str, offset: int) -> int:
        if offset < 0 or offset + struct.calcsize(fmt) > len(tiff):
            raise LocationNotRemovable("malformed EXIF")
        return struct.unpack_from(order + fmt, tiff, offset)[0]

    ifd0 = read("I", 4)
    for index in range(read("H", ifd0)):
        entry = ifd0 + 2 + 12 * index
        if read("H", entry) != _GPS_IFD_TAG:
            continue
        gps = read("I", entry + 8)
        count = read("H", gps)
        for gps_index in range(count):
            gps_entry = gps + 2 + 12 * gps_index
            size = _TYPE_SIZES.get(read("H", gps_entry + 2), 1) * read("I", gps_entry + 4)
            if size > 4:
                value = read("I", gps_entry + 8)
                if value + size > len(tiff):
                    raise LocationNotRemovable("malformed EXIF")
                tiff[value : value + size] = bytes(size)
        end = gps + 2 + 12 * count + 4  # entries and the next-IFD offset
        if end > len(tiff):
            raise LocationNotRemovable("malformed EXIF")
        tiff[gps:end] = bytes(end - gps)  # count 0, no entries, no next IFD


def _png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise LocationNotRemovable("not a PNG")
    out, at = [_PNG_SIGNATURE], len(_PNG_SIGNATURE)
    while at < len(data):
        if at + 12 > len(data):
            raise LocationNotRemovable("malformed PNG chunk")
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            raise LocationNotRemovable("malformed PNG chunk")
        chunk = data[at:end]
        text_key = data[at + 8 : at + 8 + 18]
        if kind == b"eXIf" or (kind in (b"iTXt", b"tEXt", b"zTXt") and text_key == b"XML:com.adobe.xmp\x00"):
            at = end
            continue
        out.append(chunk)
        at = end
        if kind == b"IEND":
            break
    return b"".join(out)
