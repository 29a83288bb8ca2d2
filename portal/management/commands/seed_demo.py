import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from portal.demo import ensure_password, make_context
from portal.roles import sync_roles

PROFILES = {"street": 1, "district": 10}


def _seeders():
    """Each installed app's demo module, in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        if config.name != "portal" and module_has_submodule(config.module, "demo"):
            modules.append(import_module(f"{config.name}.demo"))
    return modules


class Command(BaseCommand):
    help = (
        "Fill the database with demo data at the scale of one street (or a district of ten) "
        "and create the demo logins. Safe to run again: only what is missing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), default="street")
        parser.add_argument("--password", default="demo12345", help="password of every demo login")

    def handle(self, *args, profile, password, **options):
        started = time.monotonic()
        sync_roles()
        seeders = _seeders()
        contexts = []
        for index in range(1, PROFILES[profile] + 1):
            ctx = make_context(index, profile, password)
            with transaction.atomic():
                for module in seeders:
                    if hasattr(module, "seed_street"):
                        module.seed_street(ctx)
            contexts.append(ctx)
            self.stdout.write(f"{ctx.street.name} ({ctx.code}): {self._counts(ctx) or 'already there'}")
        for module in seeders:
            if hasattr(module, "seed_finish"):
                module.seed_finish(contexts)
        if ensure_password(password):
            self.stdout.write("demo logins now use the given password")
        self._summary(contexts, password, time.monotonic() - started)

    @staticmethod
    def _counts(ctx):
        return ", ".join(f"{number} {label}" for label, number in ctx.counts.items() if number)

    def _summary(self, contexts, password, seconds):
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {seconds:.1f} s."))
        self.stdout.write(f"Demo logins (password: {password}):")
        merged = {}
        for ctx in contexts:
            for prefix, names in ctx.logins.items():
                merged.setdefault(prefix, []).extend(names)
        for prefix, names in merged.items():
            shown = names[0] if len(names) == 1 else f"{names[0]} … {names[-1]} ({len(names)})"
            self.stdout.write(f"  {prefix:<11} {shown}")
