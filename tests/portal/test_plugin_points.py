"""The core's plug-in points: a business app declares its periodic tasks, menu entries, URL
mounts, outbox handlers and in-process caches, and the core never imports it."""

import ast
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from rdec_portal import local_caches, plugins, views
from rdec_portal.celery import app as celery_app
from rdec_portal.workflow import outbox_store

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "rdec_portal"

CORE_TASKS = {
    "workflow.outbox_sweep",
    "workflow.send_due_reminders",
    "performance.rollup_previous_month",
    "performance.rollup_current_month",
}
SERVICE_CENTER_TASKS = {
    "service_center.close_replied",
    "service_center.expire_unconfirmed",
    "service_center.forget_follower_addresses",
    "service_center.forget_legal_contacts",
}


def business_apps() -> list[str]:
    """Installed apps whose package is this repository's own but not the core's (Django and
    third-party apps are installed packages, not folders of the repository)."""
    names = []
    for config in apps.get_app_configs():
        top = config.name.split(".")[0]
        if top != CORE.name and Path(config.path).resolve() == REPO / config.name.replace(".", "/"):
            names.append(config.name)
    return names


def test_the_service_centre_is_a_business_app_and_the_core_is_not():
    assert "service_center" in business_apps()
    assert not any(name.startswith("rdec_portal") for name in business_apps())


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value:
            # A module named by its dotted path (include("app.urls"), import_module(...)); an
            # app's bare name is data (a business line, INSTALLED_APPS), not an import.
            yield node.lineno, node.value


def _is_module_of(name: str, app: str) -> bool:
    if name != app and not name.startswith(f"{app}."):
        return False
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # "app.module.attribute", not a module
        return False


def test_the_core_imports_no_business_app():
    business = business_apps()
    offences = []
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, name in _imported_modules(tree):
            if any(_is_module_of(name, app) for app in business):
                offences.append(f"{path.relative_to(REPO)}:{lineno} {name}")
    assert offences == []


def test_the_check_catches_an_import_of_a_business_app():
    tree = ast.parse(
        textwrap.dedent(
            """
            def f():
                from service_center import emails
                include("service_center.open311.urls")
                line = "service_center"
                metric = "service_center.replied_on_time"
            """
        )
    )
    names = [name for _, name in _imported_modules(tree)]
    assert [name for name in names if _is_module_of(name, "service_center")] == [
        "service_center",
        "service_center.open311.urls",
    ]


def test_every_periodic_task_is_scheduled_and_registered():
    scheduled = celery_app.conf.beat_schedule
    assert set(scheduled) == CORE_TASKS | SERVICE_CENTER_TASKS
    for name, entry in scheduled.items():
        assert entry["task"] == name
        assert name in celery_app.tasks
    assert celery_app.tasks["service_center.close_replied"].expires == 55 * 60
    assert celery_app.tasks["service_center.forget_legal_contacts"].expires == 23 * 60 * 60
    assert celery_app.tasks["workflow.outbox_sweep"].expires == 55
    assert scheduled["workflow.outbox_sweep"]["schedule"] == 60.0


def _run(code: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env={**os.environ, "CELERY_SKIP_CHECKS": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_beat_starts_with_the_whole_schedule():
    # What `celery beat` does before it reads the schedule: the loader's worker init, which
    # sets Django up; nothing has imported any tasks module before.
    out = _run(
        """
        from rdec_portal.celery import app
        app.loader.init_worker()
        print(" ".join(sorted(app.conf.beat_schedule)))
        """,
        DJANGO_SETTINGS_MODULE="rdec_portal.settings",
    )
    assert set(out.split()) == CORE_TASKS | SERVICE_CENTER_TASKS


def test_the_core_runs_without_the_service_centre(tmp_path):
    (tmp_path / "core_only_settings.py").write_text(
        "from rdec_portal.settings import *  # noqa: F403\n"
        'INSTALLED_APPS = [a for a in INSTALLED_APPS if a != "service_center"]  # noqa: F405\n'
    )
    out = _run(
        """
        import sys

        import django

        django.setup()
        from django.urls import get_resolver, reverse

        from rdec_portal import views
        from rdec_portal.celery import app

        get_resolver().url_patterns
        print(reverse("home"))
        print(views.public_links())
        print(sorted(app.conf.beat_schedule))
        print([name for name in sys.modules if name.startswith("service_center")])
        """,
        DJANGO_SETTINGS_MODULE="core_only_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]),
    )
    home, links, schedule, loaded = out.splitlines()
    assert home == "/"
    assert links == "[]"
    assert schedule == str(sorted(CORE_TASKS))
    assert loaded == "[]"


def test_the_service_centre_declares_its_menu_entries_and_mounts_in_order():
    entries = plugins.public_entries()
    with translation.override("en"):
        labels = [str(entry.label) for entry in entries]
    assert labels == [
        "File a petition",
        "Track a petition",
        "Free legal consultation",
    ]
    assert entries[0].url_names == ("service_center:public", "service_center:petition_new")
    assert plugins.url_mounts() == [
        plugins.UrlMount("service-center/", "service_center.urls"),
        plugins.UrlMount("open311/v2/", "service_center.open311.urls"),
    ]
    assert plugins.staff_homes() == {"service_center": "service_center:home"}


def test_the_declared_entries_and_mounts_are_the_links_and_urls_served():
    assert [link["url"] for link in views.public_links()] == [
        reverse("service_center:petition_new"),
        reverse("service_center:track"),
        reverse("service_center:legal_public"),
    ]
    assert reverse("service_center:home") == "/service-center/"
    assert reverse("open311:discovery", kwargs={"fmt": "json"}) == "/open311/v2/discovery.json"
    available = [line["code"] for line in views.business_lines() if line["available"]]
    assert available == ["service_center"]


def test_the_service_centres_outbox_handler_is_autodiscovered():
    assert "service_center.send_citizen_email" in outbox_store._HANDLERS
    apps_py = (REPO / "service_center" / "apps.py").read_text(encoding="utf-8")
    assert "emails" not in apps_py


def test_clear_local_caches_forgets_every_registered_cache(monkeypatch):
    monkeypatch.setattr(local_caches, "_FORGETTERS", dict(local_caches._FORGETTERS))
    forgotten = []
    local_caches.register_local_cache("tests.one", lambda: forgotten.append("one"))
    local_caches.register_local_cache("tests.two", lambda: forgotten.append("two"))
    local_caches.clear_local_caches()
    assert forgotten == ["one", "two"]
    assert {"workflow.calendar", "service_center.catalogue"} <= set(
        local_caches.local_cache_names()
    )


def test_a_cache_name_is_registered_once(monkeypatch):
    monkeypatch.setattr(local_caches, "_FORGETTERS", {})
    local_caches.register_local_cache("tests.one", list)
    local_caches.register_local_cache("tests.one", list)
    with pytest.raises(ValueError, match="registered twice"):
        local_caches.register_local_cache("tests.one", dict)


def test_the_business_lines_are_listed_outside_the_core(settings):
    from business_apps import BUSINESS_APPS

    source = (REPO / "rdec_portal" / "settings.py").read_text(encoding="utf-8")
    assert all(f'"{app}"' not in source for app in BUSINESS_APPS)
    assert settings.INSTALLED_APPS[-len(BUSINESS_APPS) :] == BUSINESS_APPS
