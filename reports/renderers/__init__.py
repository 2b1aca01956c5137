"""Renderers: pure functions from a `Table` to bytes written on a binary stream.

Each format lives in its own module and registers itself with `@renderer(...)`, the same way a
plugin would. Renderers never touch Slack or the database.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from reports.table import Table

RenderFn = Callable[[Table, BinaryIO, dict], None]


@dataclass(frozen=True)
class Renderer:
    format: str
    extension: str
    content_type: str
    render: RenderFn
    description: str = ""


_RENDERERS: dict[str, Renderer] = {}
_BUILTIN_MODULES = ("csv_file", "xlsx_file", "png_file", "pdf_file", "json_file", "html_file")


def renderer(format: str, *, extension: str, content_type: str,
             description: str = "") -> Callable[[RenderFn], RenderFn]:
    """Register `fn(table, out, options)` as the renderer for `format`."""

    def register(fn: RenderFn) -> RenderFn:
        _RENDERERS[format] = Renderer(format, extension, content_type, fn, description)
        return fn

    return register


def _load_builtins() -> None:
    """Import the built-in formats (each registers itself, as a plugin would)."""
    for name in _BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{name}")


def get_renderer(format: str) -> Renderer:
    """Return the renderer for `format`; `KeyError` names the formats that exist."""
    _load_builtins()
    try:
        return _RENDERERS[format]
    except KeyError:
        raise KeyError(f"unknown format {format!r}; known: {', '.join(sorted(_RENDERERS))}") from None


def available_formats() -> list[str]:
    _load_builtins()
    return sorted(_RENDERERS)
