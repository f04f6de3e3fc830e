"""`manage.py create_case_token CENTER [--name TEXT]`: a push token for /api/cases/, printed once."""

from django.core.management.base import BaseCommand, CommandError

from disclosures.models import CenterApiToken
from portal.models import ServiceCenter


class Command(BaseCommand):
    help = "Create a bearer token with which CENTER's approval system may push cases to /api/cases/."

    def add_arguments(self, parser):
        parser.add_argument("center", help="center code")
        parser.add_argument("--name", default="", help="what the token is for (shown to editors)")

    def handle(self, *args, **options):
        center = ServiceCenter.objects.filter(code=options["center"].strip().lower()).first()
        if center is None:
            raise CommandError(f"未知的中心：{options['center']}")
        _token, plain = CenterApiToken.issue(center, name=options["name"])
        self.stderr.write(f"已为“{center.name}”创建推送令牌（只显示这一次，请妥善保存）：")
        self.stdout.write(plain)
