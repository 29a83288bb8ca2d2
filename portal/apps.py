from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from portal.roles import sync_roles

    sync_roles()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户与权限")

    def ready(self):
        # Runs after each app's post_migrate, so the last run sees every permission.
        post_migrate.connect(_sync_roles, dispatch_uid="portal.sync_roles")
        # Failed sign-ins count against the client's address (portal.auth).
        from portal import auth, middleware

        auth.connect_signals()
        # Staff get a shorter, idle-timed session (portal.middleware).
        middleware.connect_signals()
