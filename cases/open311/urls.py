from django.urls import path, re_path

from cases.open311 import views

app_name = "open311"

_FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    re_path(rf"^services\.{_FMT}$", views.services_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]+)\.{_FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests\.{_FMT}$", views.requests_view, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/]+)\.{_FMT}$", views.request_detail, name="request"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
