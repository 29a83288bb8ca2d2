from django.urls import path

from grids import views

app_name = "grids"

urlpatterns = [
    path("", views.grid_list, name="grid_list"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/follow-up/", views.visit_follow_up, name="visit_follow_up"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("<str:code>/", views.grid_detail, name="grid_detail"),
]
