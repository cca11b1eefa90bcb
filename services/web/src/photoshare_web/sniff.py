"""Decides by content whether an upload is an image Photoshare accepts."""

import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, UnidentifiedImageError

from photoshare_shared.imageformats import ACCEPTED_FORMATS, ACCEPTED_NAMES, canonical_format, open_image

# Our own pixel limit (below) decides; Pillow's warning would only add noise to the logs.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


class NotAcceptedImage(ValueError):
    """The upload is not an accepted image; str(exc) says why, for a person."""


@dataclass(frozen=True)
class ImageKind:
    """What the header of an accepted image says."""

    format: str
    content_type: str
    width: int
    height: int


def inspect_image(stream: IO[bytes], *, max_pixels: int) -> ImageKind:
    """Read only the image header (magic bytes and size); the pixels are the worker's job."""
    stream.seek(0)
    try:
        with open_image(stream) as image:
            format_name = canonical_format(image.format) or ""
            kind = ImageKind(
                format=format_name,
                content_type=ACCEPTED_FORMATS.get(format_name, ""),
                width=image.width,
                height=image.height,
            )
    except Image.DecompressionBombError as exc:
        raise NotAcceptedImage("The image has too many pixels to process safely.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise NotAcceptedImage(f"This file is not a {ACCEPTED_NAMES} image.") from exc
    finally:
        stream.seek(0)
    if not kind.content_type:
        raise NotAcceptedImage(f"This file is not a {ACCEPTED_NAMES} image.")
    if kind.width < 1 or kind.height < 1:
        raise NotAcceptedImage("The image has no pixels.")
    if kind.width * kind.height > max_pixels:
        megapixels = max_pixels // 1_000_000
        raise NotAcceptedImage(
            f"The image is {kind.width}×{kind.height} pixels, over the limit of {megapixels} megapixels."
        )
    return kind
