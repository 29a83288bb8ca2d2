"""PDFs from the same HTML templates as the pages, with CJK fonts embedded.

WeasyPrint lays the page out with Pango and embeds (subsets of) the fonts it
used, so Chinese text prints on any machine. The fonts come from Debian's
fonts-noto-cjk, installed by scripts/system-deps; stylesheets ask for
"Noto Sans CJK SC" by name. Templates link stylesheets and images with the
usual `{% static %}`; the fetcher below reads them from disk through the
staticfiles finders and never goes to the network.
"""

import mimetypes
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template.loader import render_to_string

# Relative URLs in the HTML resolve against this base; it names no real host.
BASE_URL = "https://portal.invalid/"


def _static_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serves STATIC_URL paths from the finders and data: URLs; refuses the rest."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            if parts.netloc == urlsplit(BASE_URL).netloc and parts.path.startswith(static_prefix):
                body = _static_file(parts.path[len(static_prefix) :])
                if body is not None:
                    content_type = mimetypes.guess_type(parts.path)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body, {"Content-Type": content_type})
            raise ValueError(f"PDFs load only the portal's static files, not {url}")

    return StaticFilesFetcher()


def _static_file(name):
    """A static file's bytes by the name `{% static %}` wrote, or None.

    With DEBUG off the manifest storage writes hashed names (css/pdf.1a2b3c.css),
    which only the collected copy in STATIC_ROOT has; the finders know the
    source names, which is what `{% static %}` writes in development and tests.
    """
    path = finders.find(name)
    if path is not None:
        with open(path, "rb") as handle:
            return handle.read()
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as handle:
            return handle.read()
    return None


def render_pdf(template_name, context, request=None):
    """Render a template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=_static_fetcher()).write_pdf()


def pdf_response(data, filename, inline=True):
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
