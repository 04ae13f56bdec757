"""schema.org JSON-LD for pages where it fits: meetings (``Event``) and services
(``GovernmentService``).

Each function returns a ``<script type="application/ld+json">`` block as
``Markup``. The JSON is made safe for an HTML page: ``<``, ``>`` and ``&`` are
written as ``\\u003c``, ``\\u003e`` and ``\\u0026``, so no text from the data can
close the script element.

Templates call ``jsonld.meeting(m, url, lang)``; jinja then also hands over the
page's context, from which the organizer's name (``bodies``), the area served
(``community``) and the service type (``categories``) are taken. From Python pass them as keywords.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

import jinja2
from jinja2.runtime import Context
from markupsafe import Markup

from generator.kinds.common import Text
from generator.site.markdown_export import markdown_text
from portal_core.china_time import start_date
from portal_core.languages import pick

SCHEMA = "https://schema.org"
DAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
        "sat": "Saturday", "sun": "Sunday"}
_FROM_CONTEXT = ("bodies", "community", "categories")


def script(data: dict[str, Any]) -> Markup:
    """A JSON-LD script element, safe to put in HTML.

    >>> print(script({"name": "</script><b>&"}))
    <script type="application/ld+json">{"name":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}</script>
    >>> print(script({"name": "会议"}))
    <script type="application/ld+json">{"name":"\\u4f1a\\u8bae"}</script>
    """
    # ASCII only (non-ASCII as \uXXXX): checks that scan a page's text never see
    # the data a second time, and no encoding mix-up can garble it. Then the
    # three characters that matter to HTML.
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(f'<script type="application/ld+json">{text}</script>')


def _template_function(core: Callable[..., Markup]) -> Callable[..., Markup]:
    """Let ``core`` be called from templates (jinja passes the render context
    first; ``bodies`` and ``community`` are filled in from it) and from Python."""

    @functools.wraps(core)
    def call(*args: Any, **kw: Any) -> Markup:
        if args and isinstance(args[0], Context):
            context, args = args[0], args[1:]
            for name in _FROM_CONTEXT:
                if name not in kw:
                    kw[name] = context.get(name)
        return core(*args, **kw)

    call.context_names = _FROM_CONTEXT  # type: ignore[attr-defined]  # what the render cache must key on
    return jinja2.pass_context(call)


def _lang_code(lang: str) -> str:
    return "zh-CN" if lang == "zh" else lang


def _default(community: Any) -> str:
    return community.languages.default if community is not None else "zh"


def _site_base(url: str, section: str) -> str | None:
    """The language site's address, from a page address inside ``section``."""
    cut = url.rfind(f"/{section}/")
    return url[: cut + 1] if cut >= 0 else None


def _area(community: Any, text: Callable[[Text | None], str]) -> dict[str, Any] | None:
    if community is None:
        return None
    area: dict[str, Any] = {"@type": "AdministrativeArea", "name": text(community.name)}
    if community.address:
        area["address"] = text(community.address)
    return area


@_template_function
def meeting(m: Any, url: str, lang: str, *, bodies: dict[str, Any] | None = None, community: Any = None,
            categories: dict[str, Text] | None = None) -> Markup:
    """A schema.org ``Event`` for a meeting page."""
    default = _default(community)

    def text(value: Text | None) -> str:
        return pick(value, lang, default)

    body = (bodies or {}).get(m.body)
    organizer: dict[str, Any] = {"@type": "Organization", "name": text(body.name) if body else m.body,
                                 "identifier": m.body}
    base = _site_base(url, "meetings") if url else None
    if base:
        organizer["url"] = f"{base}organisation/#{m.body}"
    place: dict[str, Any] = {"@type": "Place", "name": text(m.place)}
    if community is not None and community.address:
        place["address"] = text(community.address)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": text(m.title),
        "startDate": start_date(m.date, m.start),
        "eventStatus": f"{SCHEMA}/EventCancelled" if m.status == "cancelled" else f"{SCHEMA}/EventScheduled",
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
        "location": place,
        "organizer": organizer,
        "inLanguage": _lang_code(lang),
    }
    if m.start and m.end:
        data["endDate"] = start_date(m.date, m.end)
    titles = [text(item.title) for item in m.agenda]
    if titles:
        data["description"] = "; ".join(titles)
    if url:
        data["url"] = url
    return script(data)


def _hours(hours: list[Any]) -> list[dict[str, Any]]:
    return [{"@type": "OpeningHoursSpecification", "dayOfWeek": [f"{SCHEMA}/{DAYS[d]}" for d in h.days],
             "opens": h.opens, "closes": h.closes} for h in hours]


@_template_function
def service(s: Any, url: str, lang: str, *, bodies: dict[str, Any] | None = None, community: Any = None,
            categories: dict[str, Text] | None = None) -> Markup:
    """A schema.org ``GovernmentService`` for a service page."""
    default = _default(community)

    def text(value: Text | None) -> str:
        return pick(value, lang, default)

    provider: dict[str, Any] = {"@type": "Organization", "name": text(s.provider)}
    if s.provider_body:
        provider["identifier"] = s.provider_body
    hours = _hours(s.hours)
    location: dict[str, Any] = {"@type": "Place", "name": text(s.place)}
    if community is not None and community.address:
        location["address"] = text(community.address)
    if hours:
        location["openingHoursSpecification"] = hours
    channel: dict[str, Any] = {"@type": "ServiceChannel", "name": text(s.place), "serviceLocation": location,
                               "availableLanguage": _lang_code(default)}
    if s.phone:
        phone: dict[str, Any] = {"@type": "ContactPoint", "telephone": s.phone, "contactType": text(s.name)}
        if hours:
            phone["hoursAvailable"] = hours
        channel["servicePhone"] = phone
    if url:
        channel["serviceUrl"] = url
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "GovernmentService",
        "name": text(s.name),
        "description": markdown_text(text(s.summary)),
        "provider": provider,
        "availableChannel": channel,
    }
    if categories and s.category in categories:
        data["serviceType"] = text(categories[s.category])
    area = _area(community, text)
    if area:
        data["areaServed"] = area
    if hours:
        data["hoursAvailable"] = hours
    if url:
        data["url"] = url
    return script(data)
