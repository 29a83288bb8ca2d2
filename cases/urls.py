from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_xlsx, name="stats_xlsx"),
    path("new/", views.case_new, name="new"),
    path("new/done/", views.case_submitted, name="submitted"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/rate/", views.track_rate, name="track_rate"),
    path("track/<str:code>/unresolved/", views.track_unresolved, name="track_unresolved"),
    path("track/<str:code>/photos/<int:pk>/", views.track_photo, name="track_photo"),
    path("report/", views.report, name="report"),
    path("qr/", views.qr_index, name="qr_index"),
    path("qr/<str:code>/", views.qr_sheet, name="qr_sheet"),
    path("from-visit/<int:visit_pk>/", views.from_visit, name="from_visit"),
    path("from-wish/<int:wish_pk>/", views.from_wish, name="from_wish"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/phone/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/dispatches/<int:dispatch_pk>/transfer/", views.transfer, name="transfer"),
    path("dispatches/<int:pk>/", views.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/<str:action>/", views.dispatch_act, name="dispatch_act"),
]
