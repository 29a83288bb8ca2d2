"""Progress photos of projects: the portal's one photo check (portal.photos) with this app's limits."""

from portal import photos

MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 4
MAX_SIDE = photos.MAX_SIDE


def normalise_photo(upload):
    """Return (ContentFile of a JPEG, width, height) or raise ValidationError in Chinese."""
    return photos.normalise_photo(upload, max_bytes=MAX_BYTES)
