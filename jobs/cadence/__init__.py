"""Natural-language report cadences: parse, describe, store, and compute next runs."""

from jobs.cadence.cadence import Cadence, cadence_from_json, parse
from jobs.cadence.errors import CadenceError

__all__ = ["Cadence", "CadenceError", "cadence_from_json", "parse"]
