"""Errors of the Slack surface (the whole tree is drawn in storage.errors)."""

from __future__ import annotations

from storage.errors import BadInput


class FormErrors(BadInput):
    """Field problems keyed by the modal's input block id; `str()` lists them for text replies."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))
