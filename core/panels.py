"""Home-page panels contributed by other apps, so dependencies keep pointing one way.

An app calls `register_home_panel(order, template, context_fn)` in its AppConfig.ready();
the home page renders each panel's template with what `context_fn(request)` returns.
"""

_PANELS = []


def register_home_panel(order, template, context_fn):
    _PANELS.append((order, template, context_fn))
    _PANELS.sort(key=lambda panel: panel[0])


def home_panels(request):
    rendered = []
    for _order, template, context_fn in _PANELS:
        context = context_fn(request)
        if context is not None:
            rendered.append({"template": template, "context": context})
    return rendered
