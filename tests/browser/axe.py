"""axe-core (from npm, node_modules/axe-core/) on the page a browser test is looking at.

`check(page, folder, step)` runs axe with the WCAG 2.0/2.1 A and AA rules and fails the test on
every violation whose impact is serious or critical, naming the rule, its impact, its help text
and the elements it found. The whole axe result is saved next to the screenshots as
`axe-<step>.json`, minor and moderate findings included, so they can be read afterwards.

The site's Content-Security-Policy allows no inline script, so axe is not added as a <script>
element (Playwright's add_script_tag inlines the file, which the CSP refuses). Its source is
evaluated through the DevTools protocol instead (`page.evaluate`), which the page's CSP does
not govern; the page itself keeps its real policy, and the conftest's console listener would
report any refusal.
"""

import json
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

# No CSSOM preload: axe would rebuild @import-ed stylesheets (Django admin's) as inline <style>
# elements, which the CSP rightly refuses, and only the experimental css-orientation-lock rule,
# not run here, reads them. Media is still preloaded for the audio and video rules.
_RUN = """async tags => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    preload: {assets: ["media"]},
  });
  return JSON.parse(JSON.stringify(result));
}"""


@cache
def _source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (axe-core is in package.json).")
    # Evaluated as one expression: the UMD bundle defines window.axe.
    return AXE_JS.read_text(encoding="utf-8") + "\n;void 0;"


def run(page: Page) -> dict:
    """The axe result for the page as it is now (WCAG 2.1 A and AA rules only)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    return page.evaluate(_RUN, WCAG_21_AA)


def failures(result: dict, allow: frozenset[str] = frozenset()) -> list[str]:
    """One line per serious or critical violation not allowed, with the elements it found."""
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in FAILING_IMPACTS or violation["id"] in allow:
            continue
        targets = "; ".join(
            " ".join(str(part) for part in node["target"]) for node in violation["nodes"]
        )
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(violation['nodes'])} node(s): {targets}]"
        )
    return lines


def check(page: Page, folder: Path, step: str, *, allow: frozenset[str] = frozenset()) -> dict:
    """Run axe, save its result as axe-<step>.json in folder, fail on serious or critical findings.

    `allow` names rule ids not failed on this page; only the Django admin's own pages use it
    (see test_administrator_journey.py for why each id is there).
    """
    result = run(page)
    (folder / f"axe-{step}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    found = failures(result, allow)
    if found:
        pytest.fail(
            f"axe: {len(found)} serious or critical WCAG 2.1 AA violation(s) on {step} "
            f"({page.url}):\n" + "\n".join(found),
            pytrace=False,
        )
    return result
