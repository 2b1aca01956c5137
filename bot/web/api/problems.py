"""Errors as `application/problem+json` (RFC 9457), with the shared services' errors mapped to
HTTP statuses and the form's fields to the API's field names."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from pydantic import ValidationError

from bot.errors import FormErrors
from bot.people import SlackUnreachable
from jobs.slack_ids import ModalBlocks
from storage.errors import NotFound, PermissionDenied, UserError

PROBLEM_TYPE = "application/problem+json"
INVALID_FIELDS = "urn:reportbot:problem:invalid-fields"

# The create/edit form's blocks as the API's field names (a parameter is "params.<name>").
FIELD_OF_BLOCK = {
    ModalBlocks.NAME: "name", ModalBlocks.DESCRIPTION: "description", ModalBlocks.TAGS: "tags",
    ModalBlocks.REPORT_TYPE: "report_type", ModalBlocks.CADENCE: "cadence", ModalBlocks.TIMEZONE: "timezone",
    ModalBlocks.CONDITION: "condition", ModalBlocks.CHANNELS: "destinations.channels",
    ModalBlocks.PEOPLE: "destinations.people", ModalBlocks.EMAILS: "destinations.emails",
    ModalBlocks.WEBHOOKS: "destinations.webhooks",
    ModalBlocks.EMAIL_SUBJECT: "email.subject", ModalBlocks.EMAIL_CC: "email.cc", ModalBlocks.EMAIL_BCC: "email.bcc",
    ModalBlocks.EMAIL_FILES: "email.files", ModalBlocks.FORMATS: "formats", ModalBlocks.OPTIONS: "skip_if_empty",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ApiProblem(UserError):
    """An API request answered with an error status; `str()` is the detail."""

    def __init__(self, status: int, detail: str, *, errors: list[FieldError] | None = None,
                 headers: tuple[tuple[str, str], ...] = (), type_: str = "about:blank") -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers, self.type = status, detail, errors or [], headers, type_

    def to_json(self, **extra) -> dict:
        body = {"type": self.type, "title": HTTPStatus(self.status).phrase, "status": self.status,
                "detail": self.detail, **extra}
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        return body


def field_name(block: str) -> str:
    if block.startswith(ModalBlocks.PARAM_PREFIX):
        return f"params.{block[len(ModalBlocks.PARAM_PREFIX):]}"
    return FIELD_OF_BLOCK.get(block, block)


def invalid(errors: dict[str, str] | list[FieldError], detail: str = "Some fields need fixing.") -> ApiProblem:
    """422 naming each field (a dict maps the form's blocks to messages)."""
    listed = errors if isinstance(errors, list) else [FieldError(field_name(b), m) for b, m in errors.items()]
    return ApiProblem(422, detail, errors=listed, type_=INVALID_FIELDS)


def from_user_error(exc: UserError) -> ApiProblem:
    """The status a shared service's error means here; its message (written for people) is the detail."""
    if isinstance(exc, ApiProblem):
        return exc
    if isinstance(exc, FormErrors):
        return invalid(exc.errors)
    if isinstance(exc, NotFound):
        return ApiProblem(404, str(exc))
    if isinstance(exc, SlackUnreachable):  # not an answer a client should remember: ask again shortly
        return ApiProblem(503, str(exc), headers=(("Retry-After", "5"),))
    if isinstance(exc, PermissionDenied):
        return ApiProblem(403, str(exc))
    return ApiProblem(422, str(exc))


def from_validation_error(exc: ValidationError, *, malformed_status: int = 400,
                          invalid_status: int = 422) -> ApiProblem:
    """A body or query that did not fit its model: unreadable JSON is `malformed_status`, fields `invalid_status`."""
    details = exc.errors(include_url=False, include_input=False)
    if any(d["type"] in ("json_invalid", "json_type") for d in details) or not details:
        return ApiProblem(malformed_status, "The body must be a JSON object (see /api/v1/openapi.json).")
    if any(not d["loc"] for d in details):  # the whole body was of the wrong type
        return ApiProblem(malformed_status, "The body must be a JSON object (see /api/v1/openapi.json).")
    listed = [FieldError(".".join(str(p) for p in d["loc"]), d["msg"]) for d in details[:50]]
    return ApiProblem(invalid_status, "Some fields need fixing.", errors=listed, type_=INVALID_FIELDS)
