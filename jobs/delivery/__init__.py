"""Sending one run to one destination: Slack posting, the retry policy, the email fallback, and
the plain words owners read when it fails. `jobs.delivery.deliver` drives them for a whole run."""
