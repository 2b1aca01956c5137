"""Third-party report types arrive through the `reportbot.report_types` entry point."""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest

from reports import registry

PLUGIN = textwrap.dedent('''
    """A report type shipped by another package."""
    from reports.registry import Param, report_type
    from reports.table import Column, ColumnType, Table


    @report_type("acme_tickets", title="Acme tickets", description="Open tickets per queue from Acme's helpdesk.",
                 params=(Param("queue", "Queue", type="choice", choices=("support", "billing"), required=True,
                               help="Which helpdesk queue."),))
    def fetch(request):
        return Table.from_rows([Column("queue"), Column("open", ColumnType.INTEGER)], [(request.params["queue"], 7)])
''')


def install_fake_distribution(root, name: str, entry_points: str, modules: dict[str, str]) -> None:
    """Write an installed-distribution layout (dist-info + modules) that importlib.metadata finds on sys.path."""
    dist_info = root / f"{name}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(entry_points)
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source)


@pytest.fixture
def isolated_registry(monkeypatch):
    """Let a test load plugins into a copy of the registry, then restore the real one."""
    monkeypatch.setattr(registry, "_TYPES", dict(registry._TYPES))
    monkeypatch.setattr(registry, "_loaded", False)
    yield
    for module in ("acme_reports_plugin", "broken_reports_plugin"):
        sys.modules.pop(module, None)


def test_an_installed_entry_point_adds_its_type(tmp_path, monkeypatch, isolated_registry):
    install_fake_distribution(
        tmp_path, "acme_reports",
        "[reportbot.report_types]\nacme = acme_reports_plugin\n",
        {"acme_reports_plugin": PLUGIN},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()

    names = [t.name for t in registry.all_report_types()]
    assert "acme_tickets" in names and "demo_sales" in names
    tickets = registry.get_report_type("acme_tickets")
    assert tickets.describe()["params"][0]["choices"] == ["support", "billing"]
    assert tickets.validate_params({"queue": "Billing"}) == {"queue": "billing"}


def test_a_broken_plugin_does_not_take_the_builtins_down(tmp_path, monkeypatch, isolated_registry, caplog):
    install_fake_distribution(
        tmp_path, "broken_reports",
        "[reportbot.report_types]\nbroken = broken_reports_plugin\n",
        {"broken_reports_plugin": "raise RuntimeError('plugin bug')\n"},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()

    names = [t.name for t in registry.all_report_types()]
    assert {"demo_sales", "sql", "channel_activity", "prompt"} <= set(names)
    assert "could not load report type plugin broken" in caplog.text
