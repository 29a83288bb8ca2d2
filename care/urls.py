from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("", views.partner_home, name="partner_home"),
    path("pairings/<int:pk>/contact/", views.contact_log, name="contact_log"),
    path("unpaired/", views.unpaired, name="unpaired"),
    path("map/", views.map_index, name="map_index"),
    path("map/<str:code>/", views.people_map, name="people_map"),
]
