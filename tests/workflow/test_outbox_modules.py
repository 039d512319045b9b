"""The outbox's modules depend one way: outbox -> relay -> outbox_store, never back (an import
inside a function counts too)."""

import ast
from pathlib import Path

WORKFLOW = Path(__file__).resolve().parents[2] / "rdec_portal" / "workflow"


def imports_of(module: str) -> set[str]:
    tree = ast.parse((WORKFLOW / f"{module}.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name.removeprefix("rdec_portal.workflow.") for name in names}


def test_relay_and_the_store_never_import_the_outbox_module():
    assert "outbox" not in imports_of("relay")
    assert not {"outbox", "relay"} & imports_of("outbox_store")


def test_the_outbox_module_builds_on_relay_and_the_store():
    assert {"relay", "outbox_store"} <= imports_of("outbox")
