"""The Slack surface: the Bolt app (`app`), its listeners (`listeners/`, one module per surface), the
Block Kit it builds (`views/`), the web routes beside Slack's (`web/`: downloads, the API, install),
the command line (`cli/`), and flat services the listeners share (`acting`: load a schedule and check
the person may act on it; `people`, `destinations`, `schedules`, `validation`, `run_requests`, …).
Imports jobs, reports and storage; nothing imports it."""
