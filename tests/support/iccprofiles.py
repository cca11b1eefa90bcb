"""Small ICC profiles made here (ICC v2, byte by byte): a grey one and a CMYK one, each chosen so
that applying it gives clearly other colours than ignoring it would."""

import struct

from PIL import Image, ImageCms

_D50 = (0.9642, 1.0, 0.8249)


def srgb_profile() -> bytes:
    """The sRGB profile littlecms makes (an RGB profile: derivatives carry it as is)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def linear_grey_profile() -> bytes:
    """A grey profile with gamma 1.0: a sample of 128 is half the light, sRGB's 188, not 128."""
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0100) + bytes(2)  # one entry: gamma 1.0 (u8Fixed8)
    return _profile(b"mntr", b"GRAY", b"XYZ ", {b"kTRC": curve})


def swapped_cmyk_profile() -> bytes:
    """A CMYK profile in which each ink prints the colour the next one would plainly be:
    cyan looks magenta (255, 0, 255 in sRGB), magenta looks yellow, yellow looks cyan; black is black."""
    to_lab = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB")
    clut = bytearray()
    for corner in range(16):  # the first input (cyan) varies slowest
        c, m, y, k = ((corner >> shift) & 1 for shift in (3, 2, 1, 0))
        # Plain CMYK -> RGB, then each channel moved on: C's lack of red becomes a lack of green.
        red, green, blue = ((1 - ink) * (1 - k) * 255 for ink in (c, m, y))
        rgb = (round(blue), round(red), round(green))
        lab = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), to_lab).getpixel((0, 0))
        clut += bytes(lab)  # Pillow's 8-bit LAB: L 0-255 for 0-100, a and b offset by 128, as lut8 wants
    identity = bytes(range(256))
    matrix = b"".join(struct.pack(">i", 65536 if row == col else 0) for row in range(3) for col in range(3))
    lut = b"mft1" + bytes(4) + bytes((4, 3, 2, 0)) + matrix + identity * 4 + bytes(clut) + identity * 3
    return _profile(b"prtr", b"CMYK", b"Lab ", {b"A2B0": lut})


def _profile(device_class: bytes, space: bytes, pcs: bytes, tags: dict[bytes, bytes]) -> bytes:
    """A v2 profile: header, tag table, then each tag (4-byte aligned), plus desc and wtpt."""
    tags = {b"desc": _text_description("test profile"), b"wtpt": _xyz(_D50), **tags}
    table_size = 4 + 12 * len(tags)
    offset, entries, body = 128 + table_size, b"", b""
    for signature, data in tags.items():
        data += bytes(-len(data) % 4)
        entries += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = 128 + table_size + len(body)
    header = (
        struct.pack(">I", size)
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + device_class
        + space
        + pcs
        + bytes(12)
        + b"acsp"
        + bytes(24)
        + struct.pack(">I", 0)  # perceptual intent
        + _xyz(_D50)[8:]
        + bytes(48)
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + entries + body


def _xyz(xyz: tuple[float, float, float]) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(struct.pack(">i", round(v * 65536)) for v in xyz)


def _text_description(text: str) -> bytes:
    ascii_text = text.encode() + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(4 + 4 + 2 + 1 + 67)
