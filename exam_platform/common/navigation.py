"""The main menu, built from the entries each app registers in its own `menu.py`.

This module knows no domain: an app says which users see its link (a `visible(user)` predicate,
usually built from its roles) and where in a working day the link belongs (`order`). Apps register
their links in `<app>/menu.py`, which CommonConfig.ready() imports for every installed app.

Links are only signposts; every page still checks access itself (each app's access.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavLink:
    label: str  # lazily translated
    url_name: str
    order: int  # smaller first; see the apps' menu.py for the numbers in use
    visible: Callable[[object], bool]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_registry: dict[str, NavLink] = {}


def register(*links: NavLink) -> None:
    """Add links to the menu (idempotent: a url_name registered again replaces the older link)."""
    for link in links:
        _registry[link.url_name] = link


def registered() -> list[NavLink]:
    return sorted(_registry.values(), key=lambda link: (link.order, link.url_name))


def links_for(user) -> list[NavLink]:
    return [link for link in registered() if link.visible(user)]


def navigation(request):
    """Context processor: `main_nav` = [(label, url, is_current), ...]."""
    user = getattr(request, "user", None)
    if user is None:
        return {"main_nav": []}
    path = request.path
    items = []
    for link in links_for(user):
        url = link.url
        items.append((link.label, url, path.startswith(url) and url != "/"))
    return {"main_nav": items}
