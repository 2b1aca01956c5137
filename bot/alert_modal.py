"""Save an alert from the create/edit modal: acknowledged with "Checking…", then checked and saved.

Its condition is read against the report's data, which may take longer than Slack's 3 seconds; then
the modal becomes the confirmation, or the form again with the problem under "Alert when…" (Slack
shows field errors only in the acknowledgement, so the problem is written there instead)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.alert_condition import bind_for_save, problem_text
from bot.app_home import refresh_home
from bot.deps import BotDeps
from bot.forms import ScheduleForm
from bot.metadata import ModalMeta
from bot.respond import Where, answer, info_view
from bot.schedule_modal import build_modal, update_modal
from bot.schedules import create, update
from bot.validation import ValidSchedule
from bot.views.replies import saved as saved_text
from jobs.access import Person
from jobs.views.blocks import escape
from storage.errors import UserError
from storage.models import Schedule


@dataclass(frozen=True)
class AlertSubmission:
    """A valid form with a condition, as submitted from the modal with id `view_id`."""

    view_id: str
    where: Where
    person: Person
    form: ScheduleForm
    valid: ValidSchedule
    meta: ModalMeta
    owner_user_id: str
    stored: Schedule | None = None  # the schedule being edited


def checking_view(name: str) -> dict:
    """What the modal shows while the condition is read against the data."""
    return info_view("Checking the alert", f"⏳ Checking the condition of “{escape(name)}” against the report's "
                                           f"data now…")


def finish_alert(deps: BotDeps, client: WebClient, submission: AlertSubmission) -> None:
    """Bind the condition and save (the modal was acknowledged with `checking_view`)."""
    where, form = submission.where, submission.form
    try:
        valid, line = bind_for_save(deps, client, submission.person, form, submission.valid, stored=submission.stored)
    except UserError as exc:
        _back_to_form(deps, client, submission, f"{problem_text(exc)}\nNothing is saved yet: fix it and save again.")
        return
    try:
        if submission.stored is not None:
            result = update(deps, submission.stored.id, valid, user_id=where.user_id, surface="modal")
        else:
            result = create(deps, valid, team_id=where.team_id, user_id=where.user_id, surface="modal",
                            source=f"modal: {form.name}")
    except UserError as exc:
        _back_to_form(deps, client, submission, f"⚠️ Not saved: {escape(str(exc))}")
        return
    text = f"{saved_text(result)}\n{line}"
    update_modal(client, submission.view_id, info_view("Alert saved", text))
    refresh_home(deps, client, where.team_id, where.user_id, submission.owner_user_id)
    answer(client, where, text)


def _back_to_form(deps: BotDeps, client: WebClient, submission: AlertSubmission, problem: str) -> None:
    where = submission.where
    view = build_modal(deps, client, where.team_id, where.user_id, submission.form, submission.meta,
                       condition_status=problem)
    if not update_modal(client, submission.view_id, view):  # they closed it meanwhile: tell them where they were
        answer(client, where, f"{problem}\n(“{escape(submission.form.name)}” was not saved.)")

