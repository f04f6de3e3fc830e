"""The settings of a running site (also `make run`, with GONGKAI_LOCAL=1): base plus the checks.

Production refuses to start without a real SECRET_KEY; local use (DEBUG=1 or GONGKAI_LOCAL=1)
falls back to a development key.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEV_SECRET_KEY, PRODUCTION, SECRET_KEY

if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production refuses to start without a real secret key; "
            "set SECRET_KEY, or DEBUG=1 / GONGKAI_LOCAL=1 for local use."
        )
    SECRET_KEY = DEV_SECRET_KEY
elif SECRET_KEY == DEV_SECRET_KEY and PRODUCTION:
    raise ImproperlyConfigured("SECRET_KEY is the development placeholder; set a real one.")
