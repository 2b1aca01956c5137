"""The README's two commands are the ones CI and new users run."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.+?)\n```", section)


def test_ci_runs_the_readme_test_command_verbatim():
    demo, tests = _readme_commands()
    assert "reportbot" in demo and "pytest" in tests
    assert tests in (REPO / ".ci" / "run").read_text()


def test_every_cli_command_in_the_readme_exists():
    from bot.cli.main import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    for name in re.findall(r"`reportbot (\w+)", (REPO / "README.md").read_text()):
        assert name in commands, name
