"""The create/edit modal as Block Kit. Pure: a form, the report types and a cadence read-back in,
a view dict out. Rebuilt on every change (report type, cadence, timezone) from the current state."""

from __future__ import annotations

from dataclasses import dataclass

from bot.forms import ANY_CHOICE, ScheduleForm
from bot.metadata import ModalMeta
from bot.readback import ReadBack
from bot.views.alert_field import condition_blocks
from jobs.delivery.email_compose import (
    DEFAULT_SUBJECT,
    SUBJECT_LIMIT,
    SUBJECT_PLACEHOLDERS,
)
from jobs.slack_ids import ModalActions, ModalBlocks, ModalOptions, ViewCallbacks
from jobs.views.blocks import escape, option, plain_text
from jobs.views.time_words import next_runs_lines
from reports.errors import ReportError
from reports.registry import Param, ReportType
from storage.models import AttachMode

MAX_OPTIONS = 100


@dataclass(frozen=True)
class ModalContext:
    """What the modal offers besides the form's own values."""

    report_types: tuple[ReportType, ...]
    formats: tuple[str, ...]
    email_domains: tuple[str, ...] = ()
    preview_status: str | None = None
    # Who is asking: choices such as data sources are the ones open to them.
    team_id: str | None = None
    user_id: str | None = None
    condition_status: str | None = None  # the "Alert when…" field's read-back (bot.alert_condition)
    webhook_hosts: tuple[str, ...] = ()  # where the workspace's admins let webhooks go


def _input(block_id: str, label: str, element: dict, *, optional: bool = False, hint: str | None = None,
           dispatch: bool = False) -> dict:
    block = {"type": "input", "block_id": block_id, "label": plain_text(label, 2000), "element": element,
             "optional": optional}
    if hint:
        block["hint"] = plain_text(hint, 2000)
    if dispatch:
        block["dispatch_action"] = True
    return block


def _text_input(action_id: str, value: str, placeholder: str, *, max_length: int = 3000,
                multiline: bool = False) -> dict:
    element = {"type": "plain_text_input", "action_id": action_id, "placeholder": plain_text(placeholder, 150),
               "max_length": max_length, "multiline": multiline}
    if value:
        element["initial_value"] = value[:max_length]
    return element


def _addresses(addresses: list[str], limit: int = 2000) -> str:
    """Comma-separated whole addresses that fit the field (never half an address)."""
    shown = ""
    for address in addresses:
        longer = f"{shown}, {address}" if shown else address
        if len(longer) > limit:
            break
        shown = longer
    return shown


def _choices(param: Param, context: ModalContext) -> tuple[tuple[str, ...], str | None]:
    """A choice parameter's options now, for the person asking, or why they can't be listed (e.g. a broken data
    source)."""
    try:
        return tuple(param.available_choices(context.team_id, context.user_id)), None
    except ReportError as exc:
        return (), str(exc)


def _param_block(param: Param, value, context: ModalContext) -> dict:
    """One input for one declared parameter, whatever its type."""
    block_id = f"{ModalBlocks.PARAM_PREFIX}{param.name}"
    optional, hint = not param.required, param.help or None
    choices, problem = _choices(param, context) if param.type == "choice" else ((), None)
    if param.type == "choice" and choices:
        options = [option(param.choice_label(c), c) for c in choices[:MAX_OPTIONS - 1]]
        default_listed = param.default is not None and str(param.default) in choices
        if optional and not default_listed:
            options.insert(0, option("Any" if param.default in (None, "") else f"Default ({param.default})",
                                      ANY_CHOICE))
        # Choosing the period changes what the read-back says a report covers: the modal is rebuilt.
        window = param.name == "window"
        element = {"type": "static_select", "action_id": ModalActions.WINDOW if window else ModalActions.PARAM,
                   "options": options, "placeholder": plain_text(f"Choose {param.label.lower()}", 150)}
        current = param.default if value is None else value
        wanted = "" if current is None else str(current).lower()
        chosen = next((o for o in options if wanted and o["value"].lower() == wanted), None)
        if chosen is None and optional:
            chosen = options[0]
        if chosen:
            element["initial_option"] = chosen
    elif param.type == "boolean":
        box = option(param.label, ModalOptions.PARAM_ON)
        element = {"type": "checkboxes", "action_id": ModalActions.PARAM, "options": [box]}
        if value is True or str(value).lower() in ("1", "true", "yes", "y", "on"):
            element["initial_options"] = [box]
        optional = True
    elif param.type in ("integer", "number"):
        element = {"type": "number_input", "action_id": ModalActions.PARAM,
                   "is_decimal_allowed": param.type == "number"}
        if param.min is not None:
            element["min_value"] = str(param.min if param.type == "number" else int(param.min))
        if param.max is not None:
            element["max_value"] = str(param.max if param.type == "number" else int(param.max))
        if value not in (None, ""):
            element["initial_value"] = str(value)[:50]
    elif param.type == "channels":
        element = {"type": "multi_conversations_select", "action_id": ModalActions.PARAM,
                   "filter": {"include": ["public", "private"], "exclude_bot_users": True}}
        ids = [v for v in (value or []) if isinstance(v, str) and v[:1] in ("C", "G")] \
            if isinstance(value, (list, tuple)) else []
        if ids:
            element["initial_conversations"] = ids[:100]
    else:  # text, list, or a choice whose options could not be listed
        shown = (", ".join(map(str, value)) if isinstance(value, (list, tuple))
                 else ("" if value is None else str(value)))
        limit = max(1, min(param.max_length or 3000, 3000))
        element = _text_input(ModalActions.PARAM, shown, param.help or param.label, max_length=limit,
                              multiline=param.multiline)
        if param.type == "list":
            hint = " ".join(filter(None, [param.help, "Separate items with commas."]))
        if problem:
            hint = f"⚠️ {problem}"
    return _input(block_id, param.label, element, optional=optional, hint=hint, dispatch=param.name == "window")


def cadence_preview_block(result: ReadBack | None, period: str = "") -> dict:
    """The live read-back under the cadence field: the sentence, what each report covers, the next runs."""
    if result is None or not result.text:
        text = "Type when it should run and press Enter to check it, e.g. “every weekday at 9am”."
    elif result.ok:
        covers = f"📅 {escape(period)}\n" if period else ""
        text = (f"🗓️ *{escape(result.sentence)}*\n{covers}Next runs ({result.timezone}, with UTC):\n"
                f"{next_runs_lines(result.runs, result.timezone)}")
    else:
        text = f"⚠️ {escape(result.error or '')}"
    return {"type": "context", "block_id": ModalBlocks.CADENCE_PREVIEW,
            "elements": [{"type": "mrkdwn", "text": text[:2000]}]}


def timezone_option(zone: str) -> dict:
    return option(zone.replace("_", " "), zone)


FILES_ATTACHED = option("Attach the files (links if they are too large to attach)", AttachMode.AUTO)
FILES_LINKED = option("Send download links instead of attachments", AttachMode.LINK)


def _email_blocks(form: ScheduleForm) -> list[dict]:
    """How the emails look: subject, copies, attachments or links (used only with email addresses)."""
    placeholders = " ".join(f"{{{p}}}" for p in SUBJECT_PLACEHOLDERS)
    files = {"type": "static_select", "action_id": ModalActions.EMAIL_FILES, "options": [FILES_ATTACHED, FILES_LINKED],
             "initial_option": FILES_LINKED if form.email_files == AttachMode.LINK else FILES_ATTACHED}
    return [
        _input(ModalBlocks.EMAIL_SUBJECT, "Email subject", _text_input(
            ModalActions.EMAIL_SUBJECT, form.email_subject, DEFAULT_SUBJECT, max_length=SUBJECT_LIMIT),
            optional=True, hint=f"Only for email. Placeholders: {placeholders}. Empty: “{DEFAULT_SUBJECT}”."),
        _input(ModalBlocks.EMAIL_CC, "Email copy (cc)", _text_input(
            ModalActions.EMAIL_CC, _addresses(form.email_cc), "boss@example.com", max_length=2000), optional=True),
        _input(ModalBlocks.EMAIL_BCC, "Email blind copy (bcc)", _text_input(
            ModalActions.EMAIL_BCC, _addresses(form.email_bcc), "archive@example.com", max_length=2000),
            optional=True, hint="Copies go with the emails to the addresses above, on the same domain allowlist."),
        _input(ModalBlocks.EMAIL_FILES, "Files in emails", files, optional=True),
    ]


def schedule_modal(form: ScheduleForm, meta: ModalMeta, context: ModalContext, readback: ReadBack | None,
                   period: str = "") -> dict:
    """Build the modal for `form` (create or edit, as `meta` says)."""
    editing = meta.mode == "edit"
    types = list(context.report_types)[:MAX_OPTIONS]
    current = next((t for t in types if t.name == form.report_type), types[0] if types else None)
    type_options = [option(t.title, t.name) for t in types] or [option("No report types available", "none")]
    type_select = {"type": "static_select", "action_id": ModalActions.REPORT_TYPE, "options": type_options,
                   "initial_option": next((o for o in type_options if current and o["value"] == current.name),
                                          type_options[0])}
    blocks = [
        _input(ModalBlocks.NAME, "Name", _text_input(ModalActions.NAME, form.name, "e.g. Daily sales", max_length=200)),
        _input(ModalBlocks.DESCRIPTION, "Description", _text_input(
            ModalActions.DESCRIPTION, form.description, "What it is for and who reads it", max_length=500,
            multiline=True), optional=True),
        _input(ModalBlocks.TAGS, "Tags", _text_input(ModalActions.TAGS, ", ".join(form.tags), "finance, weekly",
                                                     max_length=300), optional=True,
               hint="Words to find it by, separated by commas. /report list tag:finance lists those tagged finance."),
        _input(ModalBlocks.REPORT_TYPE, "Report", type_select, dispatch=True,
               hint=current.description if current else "Ask an admin to give you access to a report type."),
    ]
    for param in (current.form_params() if current else ()):
        blocks.append(_param_block(param, form.params.get(param.name, param.default), context))
    cadence = _text_input(ModalActions.CADENCE, form.cadence_text, "every weekday at 9am", max_length=500)
    cadence["dispatch_action_config"] = {"trigger_actions_on": ["on_enter_pressed"]}
    blocks.append(_input(ModalBlocks.CADENCE, "When", cadence, dispatch=True,
                         hint="Plain words or cron. Press Enter to see how I read it."))
    blocks.append(cadence_preview_block(readback, period))
    zone = {"type": "external_select", "action_id": ModalActions.TIMEZONE, "min_query_length": 0,
            "placeholder": plain_text("Search time zones", 150)}
    if form.timezone:
        zone["initial_option"] = timezone_option(form.timezone)
    blocks.append(_input(ModalBlocks.TIMEZONE, "Time zone", zone, dispatch=True,
                         hint="Runs happen at this zone's wall-clock time, daylight saving included."))
    blocks.extend(condition_blocks(form.condition_text, context.condition_status))
    channels = {"type": "multi_conversations_select", "action_id": ModalActions.CHANNELS,
                "placeholder": plain_text("Channels", 150),
                "filter": {"include": ["public", "private"], "exclude_bot_users": True,
                           "exclude_external_shared_channels": True}}
    if form.channels:
        channels["initial_conversations"] = form.channels[:100]
    blocks.append(_input(ModalBlocks.CHANNELS, "Post to channels", channels, optional=True,
                         hint="Only channels you are in. For a private channel, invite @reportbot first."))
    people = {"type": "multi_users_select", "action_id": ModalActions.PEOPLE, "placeholder": plain_text("People", 150)}
    if form.people:
        people["initial_users"] = form.people[:100]
    blocks.append(_input(ModalBlocks.PEOPLE, "Send to people (DM)", people, optional=True))
    domains = ", ".join(context.email_domains)
    blocks.append(_input(ModalBlocks.EMAILS, "Email to", _text_input(
        ModalActions.EMAILS, _addresses(form.emails), "ana@example.com, team@example.com", max_length=2000),
        optional=True, hint=f"Comma-separated. Allowed domains: {domains}." if domains else
        "Your admins have not allowed email to any domain yet."))
    blocks.extend(_email_blocks(form))
    if context.webhook_hosts or form.webhooks:  # offered once an admin allowed a host
        hosts = ", ".join(context.webhook_hosts)
        blocks.append(_input(ModalBlocks.WEBHOOKS, "Webhooks", _text_input(
            ModalActions.WEBHOOKS, _addresses(form.webhooks), "https://hooks.example.com/reportbot", max_length=2000),
            optional=True, hint=f"https URLs, comma-separated; signed JSON is POSTed there. Allowed hosts: {hosts}."
            if hosts else "Your admins no longer allow webhooks to any host."))
    format_options = [option(f.upper(), f) for f in context.formats][:10]
    formats = {"type": "checkboxes", "action_id": ModalActions.FORMATS, "options": format_options}
    chosen = [o for o in format_options if o["value"] in (form.formats or (current.default_formats if current else ()))]
    if chosen:
        formats["initial_options"] = chosen
    blocks.append(_input(ModalBlocks.FORMATS, "Formats", formats))
    skip = option("Skip the run when there is no data", ModalOptions.SKIP_IF_EMPTY)
    options = {"type": "checkboxes", "action_id": ModalActions.OPTIONS, "options": [skip]}
    if form.skip_if_empty:
        options["initial_options"] = [skip]
    blocks.append(_input(ModalBlocks.OPTIONS, "Options", options, optional=True))
    blocks.append({"type": "actions", "block_id": ModalBlocks.PREVIEW, "elements": [
        {"type": "button", "action_id": ModalActions.PREVIEW_NOW, "text": plain_text("Send me a preview now"),
         "value": "preview"}]})
    if context.preview_status:
        blocks.append({"type": "context", "block_id": ModalBlocks.PREVIEW_STATUS,
                       "elements": [{"type": "mrkdwn", "text": context.preview_status[:2000]}]})
    return {
        "type": "modal", "callback_id": ViewCallbacks.SCHEDULE_MODAL,
        "title": plain_text("Edit scheduled report" if editing else "New scheduled report", 24),
        "submit": plain_text("Save" if editing else "Create", 24), "close": plain_text("Cancel", 24),
        "private_metadata": meta.dumps(), "blocks": blocks,
    }
