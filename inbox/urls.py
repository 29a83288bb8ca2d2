from django.urls import path

from inbox import views

app_name = "inbox"

urlpatterns = [
    path("todo/", views.todo, name="todo"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="read_all"),
    path("notifications/settings/", views.preferences, name="preferences"),
]
