from django.urls import path
from django.views.generic import RedirectView

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/signup/", views.activity_signup, name="activity_signup"),
    path("activities/<int:pk>/withdraw/", views.activity_withdraw, name="activity_withdraw"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/join/", views.team_join, name="team_join"),
    path("teams/<int:pk>/leave/", views.team_leave, name="team_leave"),
    path("memberships/<int:pk>/decide/", views.membership_decide, name="membership_decide"),
    # The leaderboards moved to the points app; old links still land there.
    path("stars/", RedirectView.as_view(pattern_name="points:stars", query_string=True)),
    path("me/record/", views.my_statement, name="my_statement"),
    # organisers: team leaders and staff
    path("organise/", views.organise_list, name="organise_list"),
    path("organise/new/", views.activity_new, name="activity_new"),
    path("organise/<int:pk>/", views.attendance, name="attendance"),
    path("organise/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("organise/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("organise/<int:pk>/mark/", views.attendance_mark, name="attendance_mark"),
    path("organise/<int:pk>/check-out-all/", views.attendance_check_out_all, name="attendance_check_out_all"),
    path("organise/<int:pk>/add/", views.attendance_add, name="attendance_add"),
    path("organise/<int:pk>/verify/", views.activity_verify, name="activity_verify"),
    path("organise/<int:pk>/qr/", views.activity_qr, name="activity_qr"),
    path("records/<int:pk>/", views.record_update, name="record_update"),
    # staff
    path("people/<int:pk>/record/", views.volunteer_statement, name="volunteer_statement"),
    path("records/export/", views.records_export, name="records_export"),
    path("dual-reports/", views.dual_reports, name="dual_reports"),
]
