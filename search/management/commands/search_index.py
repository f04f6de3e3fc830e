"""`manage.py search_index rebuild|update|status` for the active search backend."""

import time

from django.core.management.base import BaseCommand, CommandError

from search import indexing
from search.backends import SearchUnavailable, get_backend


class Command(BaseCommand):
    help = "rebuild: build a new index and switch to it atomically; update: bring the index in line in place; status: what is indexed."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "update", "status"])

    def handle(self, *args, action, **options):
        backend = get_backend()
        started = time.perf_counter()
        try:
            if action == "rebuild":
                result = indexing.rebuild()
            elif action == "update":
                result = indexing.update()
            else:
                result = backend.stats()
        except SearchUnavailable as exc:
            raise CommandError(f"search backend {backend.name} unavailable: {exc}")
        seconds = time.perf_counter() - started
        self.stdout.write(f"search_index {action} ({backend.name}): {result} in {seconds:.1f} s")
