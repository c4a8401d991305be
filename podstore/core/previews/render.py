"""An image thumbnail from untrusted bytes: a few well-known formats only, the pixel count
checked from the header before anything is decoded, any decoder failure meaning "none".

Pillow is imported by the first thumbnail, not by the server's start (it is ~3 MB a server
that makes no previews need not hold)."""

from __future__ import annotations

import io
import logging
import warnings

log = logging.getLogger(__name__)

# what Pillow may open: common photo and web formats, nothing with exotic decoders
FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP")
CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"})
OUTPUT_TYPE = "image/webp"


def thumbnail(data: bytes, size: int, max_pixels: int) -> bytes | None:
    """A WebP at most `size` pixels on its longest side, or None when the bytes are not an
    image we may decode (broken, another format, more than `max_pixels` pixels)."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > max_pixels:
                    return None
                image.draft("RGB", (size, size))  # JPEG: decode at a fraction of the size
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((size, size), Image.Resampling.LANCZOS)
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                converted = upright.convert("RGBA" if has_alpha else "RGB")
                out = io.BytesIO()
                converted.save(out, "WEBP", quality=80, method=4)
                return out.getvalue()
    except Exception as exc:  # a hostile or broken file may make any decoder raise anything
        log.debug("no thumbnail: %s: %s", type(exc).__name__, exc)
        return None
