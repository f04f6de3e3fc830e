"""Gongkai's settings, by environment.

- `portal.settings.base`: everything, read from the environment (README, *Configuration*);
- `portal.settings.production`: base plus the checks a real site needs (the default of
  manage.py, wsgi and asgi; also right for `GONGKAI_LOCAL=1` and `DEBUG=1`);
- `portal.settings.test`: base plus test-run isolation (pytest's DJANGO_SETTINGS_MODULE in
  pyproject.toml; manage.py, wsgi and asgi load it when GONGKAI_TESTING is on).
"""

import os


def default_settings_module(environ=os.environ):
    """The settings module manage.py, wsgi and asgi load when DJANGO_SETTINGS_MODULE is unset."""
    testing = environ.get("GONGKAI_TESTING", "").strip().lower() in {"1", "true", "yes", "on"}
    return "portal.settings.test" if testing else "portal.settings.production"
