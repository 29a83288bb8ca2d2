from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("", views.partner_home, name="partner_home"),
    path("pairings/<int:pk>/contact/", views.contact_log, name="contact_log"),
    path("unpaired/", views.unpaired, name="unpaired"),
    path("map/", views.map_index, name="map_index"),
    path("map/<str:code>/", views.people_map, name="people_map"),
    path("buildings/<int:pk>/board.pdf", views.building_board_pdf, name="building_board_pdf"),
    path("posts/", views.posts, name="posts"),
    path("posts/<int:pk>/claim/", views.post_claim, name="post_claim"),
    path("posts/held/<int:pk>/leave/", views.post_leave, name="post_leave"),
    path("posts/held/<int:pk>/service/", views.post_service, name="post_service"),
    path("posts/identity/", views.identity, name="identity"),
]
