"""What people read in Slack, built by pure functions from plain data: Block Kit primitives, time and
cadence wording, Slack errors in words, the report message, progress messages, App Home and the failure DM.
Both the worker and the bot build on it."""
