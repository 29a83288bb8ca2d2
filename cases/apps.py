from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("网格事件")

    def ready(self):
        from cases import checks  # noqa: F401 - registers the settings check
