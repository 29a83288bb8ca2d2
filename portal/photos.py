"""The one check for uploaded photos (wish fulfilments, project progress).

A photo is accepted when Pillow reads it as JPEG, PNG or WebP (the content
decides, not the file name), it is at most `max_bytes`, and it has at most
PHOTO_MAX_PIXELS pixels. The size in pixels comes from the file's header:
`Image.open` reads it without decoding, so a small file that would unpack
to hundreds of megabytes (a 150 KB PNG of 6300 × 6300) is refused before any
pixel is decoded. The photo is then re-encoded as a JPEG of at most MAX_SIDE
pixels a side, which drops EXIF (phones write the GPS position of the shot
there) and anything else hidden in the file.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the JPEG variant some phone cameras write
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError)


def normalise_photo(upload, *, max_bytes):
    """Return (ContentFile of a JPEG, width, height) or raise ValidationError in the user's language."""
    name = getattr(upload, "name", "") or _("照片")
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s”太大（%(size).1f MB），每张照片不能超过 %(max)d MB。")
            % {"name": name, "size": upload.size / 1024 / 1024, "max": max_bytes // 1024 // 1024}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:  # reads the header only
            image_format = probe.format
            width, height = probe.size
    except _UNREADABLE:
        raise _unreadable(name) from None
    if image_format not in FORMATS:
        raise ValidationError(
            _("“%(name)s”的格式不支持：只能上传 JPG、PNG 或 WebP 格式的照片。") % {"name": name}
        )
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise ValidationError(
            _("“%(name)s”的像素太多（%(w)d × %(h)d），请缩小到 %(mp)d 百万像素以内再上传。")
            % {"name": name, "w": width, "h": height, "mp": settings.PHOTO_MAX_PIXELS // 1_000_000}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()  # chunk checksums and structure, still without decoding
        upload.seek(0)
        with Image.open(upload) as image:
            # JPEG decodes at a fraction of its size when that is all we keep.
            image.draft("RGB", (MAX_SIDE * 2, MAX_SIDE * 2))
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
    except _UNREADABLE:
        raise _unreadable(name) from None
    return ContentFile(buffer.getvalue(), name="photo.jpg"), size[0], size[1]


def _unreadable(name):
    return ValidationError(
        _("“%(name)s”不是可识别的图片：只能上传 JPG、PNG 或 WebP 格式的照片。") % {"name": name}
    )
