"""Mounted at /reports/monthly/: the contract's /reports/monthly/ALLIANCE_ID/YYYY-MM/
with its .pdf and .xlsx variants."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("<int:pk>/", views.index, name="index"),
    path("<int:pk>/<str:month>.pdf", views.pdf, name="pdf"),
    path("<int:pk>/<str:month>.xlsx", views.xlsx, name="xlsx"),
    path("<int:pk>/<str:month>/", views.detail, name="detail"),
    path("<int:pk>/<str:month>/build/", views.build, name="build"),
    path("<int:pk>/<str:month>/pdf/", views.pdf_job, name="pdf_job"),
]
