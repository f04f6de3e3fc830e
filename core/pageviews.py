"""Page views by name, so that page models route to views without importing them.

A Wagtail page's routes and context live on the model, but the views that render them import
the models; a model importing its views closes an import circle. So the views module registers
each view here (`@pageviews.register("guides.item")`), the app's AppConfig.ready() imports that
module, and the model calls `pageviews.view("guides.item")(request, self)`.
"""

_VIEWS = {}


def register(name):
    """Decorator: make a view callable by name."""

    def decorator(func):
        _VIEWS[name] = func
        return func

    return decorator


def view(name):
    try:
        return _VIEWS[name]
    except KeyError:
        raise LookupError(
            f"no page view registered as {name!r}; is its module imported in AppConfig.ready()?"
        ) from None
