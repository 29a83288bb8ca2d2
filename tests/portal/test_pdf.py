"""PDFs embed a CJK font and load only the portal's own static files."""

import re
import shutil
import subprocess
import zlib

import pytest

from portal.pdf import render_pdf


@pytest.fixture
def page_template(tmp_path, settings):
    (tmp_path / "pdf_probe.html").write_text(
        """{% load static %}<html><head>
        <link rel="stylesheet" href="{% static 'css/pdf.css' %}">
        <link rel="stylesheet" href="https://example.com/evil.css">
        </head><body><h1>联席会议报告</h1><p>志愿服务时长 12.5 小时</p></body></html>""",
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    return "pdf_probe.html"


def _objects(data):
    """The PDF with its compressed object streams inflated, for searching."""
    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _font_names(data):
    return set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_]+)", _objects(data)))


def test_chinese_text_is_drawn_with_an_embedded_cjk_font(page_template):
    data = render_pdf(page_template, {})
    assert data.startswith(b"%PDF")
    names = _font_names(data)
    assert any(b"CJK" in name for name in names), names
    assert b"/FontFile" in _objects(data)  # the font program itself is inside the file


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs poppler-utils (pdffonts)")
def test_pdffonts_reports_the_cjk_font_as_embedded(page_template, tmp_path):
    path = tmp_path / "probe.pdf"
    path.write_bytes(render_pdf(page_template, {}))
    report = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in report.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), report


def test_the_stylesheet_comes_from_static_files_and_nothing_from_the_network(page_template, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("a PDF tried to reach the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    data = render_pdf(page_template, {})
    # pdf.css sets an A4 page, 595 x 842 points; the foreign stylesheet was refused.
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+595", _objects(data))


def test_stylesheets_load_by_their_hashed_names_when_debug_is_off(page_template, settings, tmp_path):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.utils.functional import empty

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    staticfiles_storage._wrapped = empty  # built again from the settings above
    try:
        call_command("collectstatic", "--noinput", verbosity=0)
        from django.templatetags.static import static

        assert static("css/pdf.css") != "/static/css/pdf.css"  # a hashed name, as in production
        data = render_pdf(page_template, {})
    finally:
        staticfiles_storage._wrapped = empty
    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils (pdftotext)")
    path = tmp_path / "probe.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "1/1" in text.replace(" ", "")  # the page footer that pdf.css draws: the stylesheet was loaded
