"""Every URL pattern the site has, the admin's included, for tests that must hold on each one:
walking the resolver means a page added later is covered without anyone remembering to."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    name: str  # with its namespace, e.g. "intake:case", "admin:intake_patient_history"
    pieces: tuple[object, ...]  # the pattern of each level, outermost first
    callback: Callable

    @property
    def params(self) -> list[str]:
        names = []
        for piece in self.pieces:
            text = str(piece)
            if isinstance(piece, RegexPattern):
                names += [match["name"] for match in REGEX_GROUP.finditer(text)]
            else:
                names += [match["name"] for match in ROUTE_PARAM.finditer(text)]
        return names

    @property
    def model_admin(self):
        """The ModelAdmin behind an admin page about one model, else None."""
        return getattr(self.callback, "model_admin", None)

    @property
    def label(self) -> str:
        return self.name or "".join(str(piece) for piece in self.pieces)

    def path(self, values: dict[str, object]) -> str:
        """The URL with each parameter replaced by values[name]."""
        parts = []
        for piece in self.pieces:
            text = str(piece)
            if isinstance(piece, RoutePattern):
                text = ROUTE_PARAM.sub(lambda match: str(values[match["name"]]), text)
            else:
                text = REGEX_GROUP.sub(lambda match: str(values[match["name"]]), text)
                text = text.replace("^", "").replace("$", "")
            parts.append(text)
        return "/" + "".join(parts)


def routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, (), ""))


def _walk(patterns, pieces: tuple, namespace: str) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, (*pieces, pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Route(name=name, pieces=(*pieces, pattern.pattern), callback=pattern.callback)
