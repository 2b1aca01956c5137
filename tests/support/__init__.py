"""Helpers every layer's tests share: waiting on an event instead of sleeping, ports and processes,
and the people and places of the tests' Slack workspace."""
