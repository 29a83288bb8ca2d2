from django.urls import path

from alliances import views

app_name = "alliances"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.alliance_detail, name="alliance_detail"),
    path("<int:pk>/chairs/generate/", views.chair_generate, name="chair_generate"),
    path("<int:pk>/chairs/swap/", views.chair_swap, name="chair_swap"),
    path("<int:pk>/covenant/sign/", views.covenant_sign, name="covenant_sign"),
    path("<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("units/mine/", views.my_unit, name="my_unit"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:unit_pk>/resources/new/", views.resource_new, name="resource_new"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/toggle/", views.resource_toggle, name="resource_toggle"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/match/", views.need_match, name="need_match"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("needs/<int:pk>/offer/", views.need_offer, name="need_offer"),
    path("offers/<int:pk>/confirm/", views.offer_confirm, name="offer_confirm"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/updates/new/", views.project_update_new, name="project_update_new"),
    path("projects/<int:pk>/status/", views.project_status, name="project_status"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/problems/new/", views.problem_new, name="problem_new"),
    path("problems/<int:pk>/follow-up/", views.problem_follow_up, name="problem_follow_up"),
]
