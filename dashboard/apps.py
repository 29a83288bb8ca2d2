from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("工作台")

    def ready(self):
        # Saved households, visits, wishes, claims, records, needs and projects
        # invalidate their street's cached dashboard numbers.
        from dashboard.cache import connect_signals

        connect_signals()
