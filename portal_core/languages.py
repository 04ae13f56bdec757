"""Text in a language, and the address of each language's site.

Texts in the data, in the compiled form spec and in the site's strings are either
one string (taken as the default language, zh) or a mapping ``{"zh": …, "en": …}``.
The default language's site is at the site root, the others under ``/<lang>/``.
"""

from __future__ import annotations

from collections.abc import Mapping

Text = str | Mapping[str, str]


def pick(value: Text | None, lang: str, default_lang: str = "zh") -> str:
    """The text in ``lang``, falling back to the default language, then any.

    >>> pick({"zh": "通知", "en": "Notice"}, "en"), pick({"zh": "通知"}, "en"), pick("通知", "en")
    ('Notice', '通知', '通知')
    >>> pick(None, "zh"), pick({}, "zh")
    ('', '')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(lang) or value.get(default_lang) or next(iter(value.values()), "")


def lang_url(site_url: str, lang: str, langs: list[str]) -> str:
    """The address of a language's site: the default (first) at /, the others at /<lang>/.

    >>> lang_url("https://x.cn", "zh", ["zh", "en"]), lang_url("https://x.cn/", "en", ["zh", "en"])
    ('https://x.cn/', 'https://x.cn/en/')
    """
    return site_url.rstrip("/") + "/" + ("" if lang == langs[0] else f"{lang}/")
