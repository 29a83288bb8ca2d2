from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "alliances"
    verbose_name = _("区域党建联盟")
