"""Build the realistic demo site. Idempotent: running it again changes nothing twice."""

import importlib

from django.core.management.base import BaseCommand

from core.dbstats import analyze

# Each app may provide `<app>.demo.seed(stdout)`; they run in dependency order.
DEMO_MODULES = ["portal.demo", "guides.demo", "disclosures.demo", "portal.editorial_demo", "search.demo"]


class Command(BaseCommand):
    help = "Load the demo site: centers, departments, items, fee items, notices, cases, bulletins."

    def add_arguments(self, parser):
        parser.add_argument("--small", action="store_true", help="A smaller catalog, for tests.")

    def handle(self, *args, **options):
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue
                raise
            module.seed(stdout=self.stdout, small=options["small"])
        analyze()  # planner statistics for the rows just written (PostgreSQL)
        self.stdout.write(self.style.SUCCESS("seed_demo: done"))
