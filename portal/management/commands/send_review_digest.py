"""Send the weekly review digest now (the django-q2 schedule `editorial-review-digest` does it weekly)."""

from django.core.management.base import BaseCommand

from portal.editorial import send_review_digests


class Command(BaseCommand):
    help = "E-mail each department's reviewers the items overdue for review, incomplete, or awaiting review."

    def handle(self, *args, **options):
        sent = send_review_digests()
        self.stdout.write(self.style.SUCCESS(f"send_review_digest: {sent} e-mails sent"))
