from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from alliances.urls import report_urlpatterns
from portal import auth, views

portal_patterns = (
    [
        path("", views.landing, name="landing"),
        path("me/", views.me, name="me"),
        path("dashboard/", views.dashboard, name="dashboard"),
        path("dashboard/numbers.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
        path("accounts/welcome/", views.after_login, name="after_login"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("healthz", views.healthz, name="healthz"),
    # Before django.contrib.auth's own: the same names, with the portal's limits.
    path("accounts/login/", auth.login_view, name="login"),
    path("accounts/password_reset/", auth.password_reset_view, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("grids/", include("grids.urls")),
    path("alliances/", include("alliances.urls")),
    path("reports/monthly/", include((report_urlpatterns, "reports"))),
    path("wishes/", include("wishes.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
