from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "cases.open311"
    label = "open311"
    verbose_name = _("Open311 接口")

    def ready(self):
        from cases import events
        from cases.models import Case
        from cases.open311 import receivers

        # Every new case gets its public request id in the transaction that files it.
        events.case_reported.connect(
            receivers.give_request_id, sender=Case, dispatch_uid="open311.request_id"
        )
