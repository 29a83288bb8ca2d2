"""Page stylesheets never restyle the top bar: its class names belong to portal.css alone."""

import re
from pathlib import Path

from django.conf import settings

# The generic names; `.topbar` itself may be hidden in print.
TOP_BAR_CLASSES = ("bar", "brand", "tap", "menu", "menu-panel", "wide")


def _stylesheets():
    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob("**/static/**/*.css")):
        parts = set(path.relative_to(root).parts)
        if parts & {".venv", "staticfiles", "bench", "vendor", "node_modules"}:
            continue
        yield path


def test_no_page_stylesheet_redefines_a_top_bar_class():
    # A progress bar once called `.bar` in the volunteers' and the report's CSS turned the
    # top bar of every page that loaded them into a thin grey line, links gone.
    pattern = re.compile(r"(?:^|[\s,}>+~])\.(" + "|".join(map(re.escape, TOP_BAR_CLASSES)) + r")(?![\w-])")
    found = []
    for path in _stylesheets():
        if path.name == "portal.css":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert list(_stylesheets()), "no stylesheet found"
    assert found == []
