from django.core.management.base import BaseCommand, CommandError

from inbox.channels import channel
from inbox.models import Channel
from inbox.sms import SendError
from portal.validators import validate_mobile


class Command(BaseCommand):
    help = (
        "Send one test message through the configured channels (SMS_SENDER, EMAIL_*), "
        "to check a deployment's settings. Nothing is written to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sms", metavar="MOBILE", help="a mobile number to text")
        parser.add_argument("--email", metavar="ADDRESS", help="an e-mail address to write to")

    def handle(self, *args, sms=None, email=None, **options):
        if not sms and not email:
            raise CommandError("Name a --sms mobile number, an --email address, or both.")
        text = "这是一条测试消息：街道党建引领基层治理平台的通知设置可以正常发送。"
        if sms:
            try:
                validate_mobile(sms)
            except Exception:
                raise CommandError(f"{sms!r} is not a mainland mobile number.") from None
            self._send(Channel.SMS, sms, text, kind="test")
        if email:
            self._send(Channel.EMAIL, email, text, kind="test")

    def _send(self, name, address, text, kind):
        try:
            ref = channel(name).send(
                address=address, subject="测试消息", text=text, kind=kind, params={"content": text}
            )
        except SendError as error:
            raise CommandError(
                f"{name}: not sent ({error}); {'worth retrying' if error.retry else 'check the settings'}."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"{name}: sent{f' ({ref})' if ref else ''}"))
