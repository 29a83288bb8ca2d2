from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("dashboard/", views.home, name="home"),
    path("dashboard/numbers.xlsx", views.numbers_xlsx, name="xlsx"),
    path("accounts/welcome/", views.after_login, name="after_login"),
]
