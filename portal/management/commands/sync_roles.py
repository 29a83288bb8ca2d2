from django.core.management.base import BaseCommand

from portal.roles import Role, missing_permissions, sync_roles


class Command(BaseCommand):
    help = "Create the role groups and give each exactly the permissions listed in the apps' roles.py."

    def handle(self, *args, **options):
        sync_roles()
        for name in missing_permissions():
            self.stderr.write(self.style.WARNING(f"listed but unknown permission: {name}"))
        self.stdout.write(f"{len(Role)} role groups in sync")
