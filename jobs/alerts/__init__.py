"""Alerts: schedules with a condition. Each run is one check (one per slot); the alert's state moves
OK → pending → firing → resolved (plus no data and error), and a check tells the alert's
destinations only when that state changes (or a reminder is due), at most once per destination.

    states    the state machine (pure)
    evaluate  one check: fetch, measure, decide once, then settle quietly or hand over to delivery
    render    the notification's chart and files, made only when it notifies
    notice    what a notification says (payload and words)
    messages  its Block Kit, and an alert's one-line state for App Home and history
    snooze    snooze / unsnooze, who may, and the Snooze menu's values
    readback  check a condition now for the person writing it ("revenue now 12,430 — would not fire")
"""
