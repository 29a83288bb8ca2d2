"""QR codes for links people scan with a phone (segno: pure Python)."""

import io

import segno
from django.utils.safestring import mark_safe


def qr_svg(text, scale=4):
    """Inline SVG markup of a QR code, safe to put in a template."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True)
    return mark_safe(buffer.getvalue().decode())


def qr_data_uri(text, scale=8):
    return segno.make(text, error="m").png_data_uri(scale=scale, border=2)
