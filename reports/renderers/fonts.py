"""Fonts for charts and PDFs: DejaVu first, then an installed font for the scripts DejaVu lacks.

DejaVu (bundled with matplotlib) covers Latin, Greek and Cyrillic; a Japanese product name or a
Chinese channel name would come out as empty boxes. Matplotlib falls back glyph by glyph along a
family list, so the list gets whichever known fallback fonts the machine has (Debian/Ubuntu:
`fonts-noto-cjk` or `fonts-wqy-microhei`), plus any named in REPORTBOT_FONTS. With none installed,
one warning says what to install.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache

import matplotlib
from matplotlib import font_manager

log = logging.getLogger(__name__)

SANS = "DejaVu Sans"
MONO = "DejaVu Sans Mono"
# Tried in this order; the first ones found are used (matplotlib asks each font for a missing glyph).
KNOWN_FALLBACKS = ("Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK KR", "WenQuanYi Micro Hei",
                   "Droid Sans Fallback", "Noto Sans Thai", "Noto Sans Arabic", "Noto Sans Hebrew")
MISSING_HINT = ("No font for Chinese, Japanese or Korean text is installed: such text in charts and PDFs shows "
                "as empty boxes. Install one (Debian/Ubuntu: fonts-noto-cjk or fonts-wqy-microhei) or name an "
                "installed family in REPORTBOT_FONTS.")

_applied = threading.Lock()
_done = False


class _QuietWeightFallback(logging.Filter):
    """Fallback fonts often have no bold face; matplotlib then says so for every bold title."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Failed to find font weight" not in record.getMessage()


def _wanted(env: dict[str, str]) -> tuple[str, ...]:
    extra = [name.strip() for name in (env.get("REPORTBOT_FONTS") or "").split(",") if name.strip()]
    return tuple(dict.fromkeys([*extra, *KNOWN_FALLBACKS]))


@lru_cache(maxsize=1)
def fallback_families() -> tuple[str, ...]:
    """The installed fallback families, in preference order (looked up once per process)."""
    wanted = _wanted(dict(os.environ))
    found = _installed(wanted)
    if not found:
        # Matplotlib caches its font list on first use; a font installed since then is not in it.
        _add_uncached_system_fonts()
        found = _installed(wanted)
    if not found:
        log.warning(MISSING_HINT)
    return found


def _installed(wanted: tuple[str, ...]) -> tuple[str, ...]:
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return tuple(name for name in wanted if name in names)


def _add_uncached_system_fonts() -> None:
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a broken or unsupported font file: skip it
                continue


def sans() -> list[str]:
    return [SANS, *fallback_families()]


def mono() -> list[str]:
    return [MONO, *fallback_families()]


def use_fallback_fonts() -> None:
    """Make every chart and page text fall back to the installed fonts (process-wide, once).

    rcParams are global; they are set once, before the first figure, and never changed after, so
    renderers on other threads only ever see the final value.
    """
    global _done
    if _done:
        return
    with _applied:
        if not _done:
            matplotlib.rcParams["font.family"] = sans()
            logging.getLogger("matplotlib.font_manager").addFilter(_QuietWeightFallback())
            _done = True


@lru_cache(maxsize=1)
def fallback_font_files() -> tuple[tuple[str, str, int], ...]:
    """(family, file, face index) of each installed fallback family, for the PDF library.

    A .ttc file holds several faces (Noto Sans CJK's JP, KR, SC, ...; WenQuanYi's proportional
    and mono); the index of the face whose family name matches is looked up in the file.
    """
    files = []
    for family in fallback_families():
        entry = next((e for e in font_manager.fontManager.ttflist if e.name == family), None)
        if entry is None:
            continue
        files.append((family, entry.fname, _face_index(entry.fname, family)))
    return tuple(files)


def _face_index(path: str, family: str) -> int:
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    try:
        with TTCollection(path, lazy=True) as collection:
            for index, face in enumerate(collection.fonts):
                if face["name"].getBestFamilyName() == family:
                    return index
    except (OSError, KeyError, ValueError):  # unreadable: the first face is the usual default
        pass
    return 0


def dejavu_file(style: str = "") -> str:
    """Return the path of the DejaVu Sans face matplotlib ships ("", "B", "I" or "BI")."""
    name = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
            "BI": "DejaVuSans-BoldOblique.ttf"}[style]
    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name)


def mono_file(style: str = "") -> str:
    """Return the path of the DejaVu Sans Mono face matplotlib ships ("" or "B")."""
    name = "DejaVuSansMono-Bold.ttf" if style == "B" else "DejaVuSansMono.ttf"
    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name)
