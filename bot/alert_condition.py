"""An alert's condition on the Slack surfaces: read back with the report's data, bound before saving.

The one-liner, the modal and the conversation read it back run as the person writing it ("Fires
when total revenue is below 10,000 · total revenue now 12,430 — would not fire") and store it bound
to the report's columns.

Reading a condition back runs the report (jobs.alerts.readback), which can take seconds: callers do
it after Slack's 3-second acknowledgement, never inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.errors import FormErrors
from bot.forms import ScheduleForm
from bot.readback import read_back
from bot.validation import ValidSchedule, condition_words, validate_report
from jobs.access import Person
from jobs.alerts.readback import ConditionCheck, check_condition
from jobs.views.blocks import escape
from reports.conditions import ConditionError, condition_from_json, describe_condition
from reports.errors import ReportError
from storage.errors import UserError
from storage.models import Schedule

# An alert asked for without a cadence ("tell me when revenue drops below 10k") is checked this often.
DEFAULT_ALERT_CADENCE = "every hour"
HINT = ("Leave empty for a report sent at every run. With a condition it is an alert: it is checked at every run "
        "and tells its destinations only when the answer changes — e.g. “revenue < 10000”, “rows > 0”, "
        "“revenue drops by more than 10%”, “only if it changed”. Press Enter to check it against the data now.")


@dataclass(frozen=True)
class ConditionReading:
    """What a person is shown about the condition they wrote: its rule and value now, or the problem."""

    ok: bool
    text: str  # mrkdwn, escaped
    condition: dict[str, Any] | None = None  # bound to the report's columns: what is stored


def readback_text(checked: ConditionCheck) -> str:
    """"🔔 *Fires when total revenue is below 10,000* / total revenue now 12,430 — would not fire"."""
    return f"🔔 *Fires when {escape(checked.description)}*\n{escape(checked.readback)}"


def check_form_condition(deps: BotDeps, client: WebClient, person: Person, form: ScheduleForm) -> ConditionCheck:
    """Check the form's condition against its report's data now, as the person.

    Raises FormErrors (the report part of the form is not usable yet), ConditionError (the words, or
    a column the report lacks: the message names its columns), ReportError (the data can't be read)
    or BadInput (the person asked for too many checks: bot.check_limits).
    """
    report, params, timezone = validate_report(deps, client, person=person, form=form)
    # Measured over the period its checks will cover (an hourly alert: the last hour).
    schedule = read_back(form.cadence_text or "every hour", timezone, deps.jobs.now(), count=1)
    with deps.condition_checks.check(person.team_id, person.user_id, deps.jobs.now().timestamp()):
        return check_condition(deps.jobs, condition_words(form), team_id=person.team_id, user_id=person.user_id,
                               report_type=report.name, params=params, timezone=timezone,
                               cadence=schedule.cadence.to_json() if schedule.ok else None)


def problem_text(error: UserError) -> str:
    """A condition problem in words (mrkdwn, escaped)."""
    if isinstance(error, FormErrors):
        return f"⚠️ Before I can check the condition, the report needs fixing: {escape(str(error))}"
    if isinstance(error, ReportError):
        return f"⚠️ I couldn't read the report's data to check the condition: {escape(str(error))}"
    return f"⚠️ {escape(str(error))}"


def read_condition(deps: BotDeps, client: WebClient, person: Person, form: ScheduleForm) -> ConditionReading:
    """The live read-back of the modal's "Alert when…" field; problems are answers, not errors."""
    if not condition_words(form):
        return ConditionReading(True, HINT)
    try:
        checked = check_form_condition(deps, client, person, form)
    except UserError as exc:
        return ConditionReading(False, problem_text(exc))
    return ConditionReading(True, readback_text(checked), checked.condition.to_json())


def bind_for_save(deps: BotDeps, client: WebClient, person: Person, form: ScheduleForm, valid: ValidSchedule, *,
                  stored: Schedule | None = None) -> tuple[ValidSchedule, str | None]:
    """The schedule to save with its condition bound to the report's columns, and the line that reads
    it back. An edit that keeps the condition's words and the report keeps what is stored (no data is
    read). Raises like `check_form_condition`."""
    if not valid.condition_words:
        return replace(valid, condition=None), None
    if stored is not None and stored.condition and condition_words(form) == stored.condition.get("text") \
            and (valid.report_type, valid.params) == (stored.report_type, stored.params):
        try:
            kept = condition_from_json(stored.condition)
        except ConditionError:
            kept = None  # unreadable as stored: read it again from the words
        if kept is not None:
            return replace(valid, condition=stored.condition), f"🔔 *Fires when {escape(describe_condition(kept))}*"
    checked = check_form_condition(deps, client, person, form)
    return replace(valid, condition=checked.condition.to_json()), readback_text(checked)
