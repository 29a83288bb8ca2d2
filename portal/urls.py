"""The portal's URLs: the kernel's own pages, then each app's, named by module path.

Apps are included by name, not imported, so the kernel depends on none of
them (the layers in docs/architecture.md).
"""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from portal import auth, job_views, views

portal_patterns = (
    [
        path("", views.landing, name="landing"),
        path("jobs/<uuid:pk>/", job_views.job_detail, name="job_detail"),
        path("jobs/<uuid:pk>/status.json", job_views.job_status, name="job_status"),
        path("jobs/<uuid:pk>/file/", job_views.job_file, name="job_file"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("", include("dashboard.urls")),
    path("healthz", views.healthz, name="healthz"),
    # Before django.contrib.auth's own: the same names, with the portal's limits.
    path("accounts/login/", auth.login_view, name="login"),
    path("accounts/password_reset/", auth.password_reset_view, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("grids/", include("grids.urls")),
    path("alliances/", include("alliances.urls")),
    path("reports/monthly/", include("reports.urls")),
    path("wishes/", include("wishes.urls")),
    path("cases/", include("cases.urls")),
    path("open311/v2/", include("cases.open311.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("care/", include("care.urls")),
    path("deliberation/", include("deliberation.urls")),
    path("points/", include("points.urls")),
    # /todo/ and /notifications/ (contract URLs): the inbox sits on top of every app.
    path("", include("inbox.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
