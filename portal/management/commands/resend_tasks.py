from django.core.management.base import BaseCommand

from portal.queue import resend_pending


class Command(BaseCommand):
    help = (
        "Queue again the Celery tasks kept in the outbox because the broker was down when their "
        "write committed (the beat job portal.tasks.resend_outbox does the same every two minutes)."
    )

    def handle(self, *args, **options):
        sent, pending = resend_pending(limit=100_000)
        self.stdout.write(f"{sent} task(s) queued again, {pending} still waiting")
        if pending:
            self.stderr.write(self.style.WARNING("the broker still refuses tasks: is Redis up?"))
