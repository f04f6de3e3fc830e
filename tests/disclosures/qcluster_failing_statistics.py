"""`manage.py qcluster` whose bulletin statistics always fail (for the failed-build cluster test).

Run as `python -m tests.disclosures.qcluster_failing_statistics` by tests.conftest.running_cluster;
the forked workers inherit the broken `compute` and the single, immediate build attempt.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import override_settings  # noqa: E402

from disclosures import bulletins  # noqa: E402


def broken(center, period):
    raise RuntimeError("statistics unavailable")


if __name__ == "__main__":
    bulletins.compute = broken
    with override_settings(BULLETIN_BUILD_RETRY_DELAYS=(0,)):
        call_command("qcluster")
