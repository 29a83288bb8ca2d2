"""Photos are checked in pixels from their header, before anything is decoded.

A 150 KB PNG of 6300 × 6300 pixels cost 400 MB of memory to check. The one
photo helper (portal.photos: wish fulfilments and project progress) reads
the size from the header and refuses such a file with a message, without
decoding it.
"""

import functools
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from tests.wishes.conftest import image_bytes
from wishes import services
from wishes.models import Claim

MB = 1024 * 1024


@functools.cache
def _huge_png(side=6300):
    buffer = io.BytesIO()
    Image.new("1", (side, side), 0).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _refuse_decoding(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", refuse)
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_a_tiny_file_with_too_many_pixels_is_refused_before_decoding(monkeypatch):
    from portal.photos import normalise_photo

    data = _huge_png()
    assert len(data) < 200_000
    _refuse_decoding(monkeypatch)
    with pytest.raises(ValidationError, match="像素太多（6300 × 6300）"):
        normalise_photo(SimpleUploadedFile("bomb.png", data), max_bytes=8 * MB)


def test_the_pixel_limit_is_a_setting(settings):
    from portal.photos import normalise_photo

    settings.PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match="1 百万像素以内"):
        normalise_photo(SimpleUploadedFile("big.jpg", image_bytes(size=(1200, 900))), max_bytes=8 * MB)
    content, width, height = normalise_photo(
        SimpleUploadedFile("ok.jpg", image_bytes(size=(1000, 900))), max_bytes=8 * MB
    )
    assert (width, height) == (1000, 900) and content.read(3) == b"\xff\xd8\xff"


def test_a_fulfilment_photo_bomb_gets_a_message_and_changes_nothing(login, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    bomb = SimpleUploadedFile("bomb.png", _huge_png(), content_type="image/png")
    response = login(people.volunteer_user).post(
        f"/wishes/claims/{claim.pk}/fulfil/", {"note": "已陪同老人复查", "photo": bomb}
    )
    assert response.status_code == 400
    assert "像素太多" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLAIMED and not claim.photo


def test_a_progress_photo_bomb_gets_the_same_message(monkeypatch):
    from alliances.photos import normalise_photo

    data = _huge_png()
    _refuse_decoding(monkeypatch)
    with pytest.raises(ValidationError, match="像素太多"):
        normalise_photo(SimpleUploadedFile("bomb.png", data))
