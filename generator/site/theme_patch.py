"""One change to mkdocs-material's compiled script after the build.

On every page load material's bundle fetches ``sitemap.xml`` next to each
``<link rel="alternate">`` of the page (its instant language switch, ``ui()``).
With per-page hreflang alternates that is a 404 per language on every page
(``/en/notices/x/sitemap.xml``), and with language-root alternates it is the
whole sitemap of every language on every page view (about 1 MB at 10,000
pages). The language switcher links straight to the page's counterpart instead
(theme ``partials/alternate.html``), so the call is removed.

The bundle is pinned (mkdocs-material 9.8.1); a build with another bundle
whose call cannot be found fails, so an upgrade is looked at, not silently
half-patched.
"""

from __future__ import annotations

import re
from pathlib import Path

#: ``di({alert$:fo});ui({document$:ct});`` in 9.8.1: the alternate-links watcher right
#: after the alert watcher in the bundle's start-up sequence.
_WATCHER = re.compile(r"(\w+\(\{alert\$:\w+\}\);)(\w+\(\{document\$:\w+\}\);)")


class ThemePatchError(RuntimeError):
    pass


def drop_sitemap_fetch(site: Path) -> int:
    """Patch every material bundle under ``site``; returns how many were patched."""
    count = 0
    for bundle in sorted(site.rglob("assets/javascripts/bundle.*.min.js")):
        text = bundle.read_text(encoding="utf-8")
        if "/*portal: no sitemap fetch*/" in text:
            count += 1
            continue
        new, n = _WATCHER.subn(r"\1/*portal: no sitemap fetch*/", text)
        if n != 1:
            raise ThemePatchError(f"{bundle}: material's sitemap watcher not found ({n} matches); "
                                  "check generator/site/theme_patch.py against this mkdocs-material version")
        # A new file, never in place: the bundle is a hard link to the build's kept mkdocs output.
        tmp = bundle.with_name(f".{bundle.name}.tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(bundle)
        count += 1
    return count
