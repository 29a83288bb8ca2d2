from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("待办与消息")

    def ready(self):
        # The apps below send their domain events as signals; the inbox listens.
        # No app imports the inbox, so this is the only place they meet.
        from inbox import case_receivers, checks, receivers  # noqa: F401

        receivers.connect()
        case_receivers.connect()
