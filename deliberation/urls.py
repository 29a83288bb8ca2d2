from django.urls import path

from deliberation import views

app_name = "deliberation"

urlpatterns = [
    path("", views.topic_list, name="topic_list"),
    path("new/", views.topic_new, name="topic_new"),
    path("submitted/", views.topic_submitted, name="topic_submitted"),
    path("track/<str:code>/", views.topic_track, name="topic_track"),
    path("vote/", views.vote, name="vote"),
    path("notice/<str:code>/", views.notice, name="notice"),
    path("topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/vet/", views.topic_vet, name="topic_vet"),
    path("sessions/<int:pk>/vote/", views.session_vote, name="session_vote"),
    path("sessions/<int:pk>/codes/", views.session_codes, name="session_codes"),
    path("sessions/<int:pk>/close/", views.session_close, name="session_close"),
    path("resolutions/", views.my_resolutions, name="my_resolutions"),
    path("resolutions/<int:pk>/progress/", views.resolution_progress, name="resolution_progress"),
    path("resolutions/<int:pk>/case/", views.resolution_case, name="resolution_case"),
]
