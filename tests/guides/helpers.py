"""Helpers for the guides tests: posting a Wagtail edit form as a browser would."""

from html.parser import HTMLParser

from django.test import override_settings


def sign_in(client, user):
    """force_login has no client address; django-axes would log "unknown", which PostgreSQL's
    inet column rejects, so its bookkeeping is off for this sign-in."""
    with override_settings(AXES_ENABLED=False):
        client.force_login(user)
    return client


class FormFields(HTMLParser):
    """Collect the default values of the first <form> whose id is `form_id` (Wagtail: page-edit-form)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = []
        self._select = None
        self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image"):
                self.data.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def edit_form_data(client, page_id):
    """The edit form's current values as {name: [values]} (multi-valued fields keep all)."""
    response = client.get(f"/admin/pages/{page_id}/edit/")
    assert response.status_code == 200
    parser = FormFields("page-edit-form")
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def set_field(data, name, value):
    data[name] = [value] if not isinstance(value, list) else value


def add_inline(data, prefix, values):
    """Append one form to an inline formset (e.g. prefix "materials")."""
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for key, value in values.items():
        data[f"{prefix}-{total}-{key}"] = [value]
    data.setdefault(f"{prefix}-{total}-ORDER", [str(total + 1)])
    data.setdefault(f"{prefix}-{total}-DELETE", [""])
    data.setdefault(f"{prefix}-{total}-id", [""])
    data[f"{prefix}-TOTAL_FORMS"] = [str(total + 1)]


def post_publish(client, page_id, data):
    payload = {**data, "action-publish": ["action-publish"]}
    return client.post(f"/admin/pages/{page_id}/edit/", payload)


def cold_cache():
    """Empty the cache as an eviction or a new cache node would, keeping the page-cache
    generations (with Redis they live in the cache itself: a flush of those makes every stored
    item presentation stale, which re-renders them, by design)."""
    from django.core.cache import cache

    from portal import pagecache

    kept = {scope: pagecache.generation(scope) for scope in (pagecache.PAGES, pagecache.DATA, pagecache.ROUTES)}
    cache.clear()
    if pagecache.shared_cache():
        for scope, value in kept.items():
            cache.set(f"{pagecache.GENERATION_KEY}:{scope}", value, None)
