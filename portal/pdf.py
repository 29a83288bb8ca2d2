"""PDFs from the same HTML templates as the pages, with CJK fonts embedded.

WeasyPrint lays the page out with Pango and embeds (subsets of) the fonts it
used, so Chinese text prints on any machine. The fonts come from Debian's
fonts-noto-cjk, installed by scripts/system-deps; the stylesheet asks for
"Noto Sans CJK SC" by name. Static files are read from disk through the
staticfiles finders, never over HTTP.
"""

import mimetypes
from urllib.parse import quote

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

STATIC_PREFIX = "static:/"


def _fetch(url):
    from weasyprint import default_url_fetcher

    if url.startswith(STATIC_PREFIX):
        path = finders.find(url[len(STATIC_PREFIX) :].lstrip("/"))
        if path is None:
            raise ValueError(f"static file not found: {url}")
        with open(path, "rb") as handle:
            data = handle.read()
        return {"string": data, "mime_type": mimetypes.guess_type(path)[0]}
    if url.startswith("data:"):
        return default_url_fetcher(url)
    raise ValueError(f"PDFs may only load static files, not {url}")


def render_pdf(template_name, context, request=None):
    """Render a template to PDF bytes. Link stylesheets as `static:/css/...`."""
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_fetch).write_pdf()


def pdf_response(data, filename, inline=True):
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
