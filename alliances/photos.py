"""Checking and normalising uploaded progress photos.

A photo is accepted when Pillow reads it as JPEG, PNG or WebP (the content
decides, not the file name), it is at most MAX_BYTES, and it is not absurdly
large in pixels. It is then re-encoded as a JPEG of at most MAX_SIDE pixels a
side: that drops EXIF (phones write the GPS position of the shot there) and
anything else hidden in the file.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 4
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the JPEG variant some phone cameras write


def normalise_photo(upload):
    """Return (ContentFile of a JPEG, width, height) or raise ValidationError in Chinese."""
    name = getattr(upload, "name", "") or _("照片")
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s”太大（%(size).1f MB），每张照片不能超过 %(max)d MB。")
            % {"name": name, "size": upload.size / 1024 / 1024, "max": MAX_BYTES // 1024 // 1024}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("“%(name)s”不是可识别的图片，请上传 JPG、PNG 或 WebP 照片。") % {"name": name}
        ) from None
    if image_format not in FORMATS:
        raise ValidationError(_("“%(name)s”的格式不支持，请上传 JPG、PNG 或 WebP 照片。") % {"name": name})
    if width * height > MAX_PIXELS:
        raise ValidationError(_("“%(name)s”的像素太多，请缩小后再上传。") % {"name": name})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="JPEG", quality=85, optimize=True)
            size = image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("“%(name)s”无法读取，可能已损坏。") % {"name": name}) from None
    return ContentFile(buffer.getvalue(), name="photo.jpg"), size[0], size[1]
