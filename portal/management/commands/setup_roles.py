"""Create or update the editorial roles, permissions and review workflows (idempotent)."""

from django.core.management.base import BaseCommand

from portal.roles import setup_roles


class Command(BaseCommand):
    help = "Create editor groups per center and department, their permissions and the review workflows."

    def add_arguments(self, parser):
        parser.add_argument("--center", action="append", dest="centers", help="Only this center code (repeatable).")

    def handle(self, *args, **options):
        summary = setup_roles(options.get("centers"))
        self.stdout.write(
            self.style.SUCCESS(
                "setup_roles: {centers} centers, {departments} departments, {groups} groups, "
                "{workflows} workflows".format(**summary)
            )
        )
