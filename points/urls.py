from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("stars/", views.stars, name="stars"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
]
