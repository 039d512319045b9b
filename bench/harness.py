"""The benchmark harness: each operation beside its floor, timed in-process, one table out.

An operation is a request through Django's test client, with the whole middleware stack, a
logged-in session and the real database. Its floor is the least a request for the same answer
can cost: a bare view behind the same middleware running hand-written SQL through a raw cursor
(or inserting one row). Both run `warmup` times untimed, then `repeat` times interleaved, and the
table gives median and p95 of each and the ratio of the medians against the operation's target.

Adding a row is one small function beside its floor, in a module listed in MODULES:

    @floor("queue")
    def queue_floor(request, ctx):          # a bare view: raw SQL, plain JSON
        ...

    @operation("Work queue page", floor="queue", target=3.0, client="staff")
    def queue_page(ctx):                    # the real thing, through the test client
        return ctx.staff.get("/service-center/queue/")

An operation that is not a request (the monthly rollup, say) passes `client=None`: then it
returns `DONE` and its floor is called in-process as `view(None, ctx)`, without the middleware.
A floor may serve operations of a later module; it always receives its own module's context.

A module also gives `setup()`, which returns the context (`ctx`) its functions receive: logged-in
clients and the ids the requests use. Two structural checks sit beside the timings:
`@query_check` (the same number of queries for 10 and for 100 rows) and `@depth_check` (a page
deep in a long list against the first page).
"""

import json
import math
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import import_module
from pathlib import Path

import django
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

# The modules whose operations run, in table order. A module may use an earlier module's floor.
MODULES = ["bench.service_center", "bench.open311", "bench.performance"]


@dataclass(frozen=True)
class Done:
    """What an in-process operation returns: it ran to the end (there is no HTTP status)."""

    status_code: int = 200


DONE = Done()


@dataclass(frozen=True)
class Operation:
    name: str
    run: Callable
    floor: str
    target: float
    client: str | None  # the ctx attribute whose test client also requests the floor
    repeat: int | None  # fewer runs for an operation too slow to repeat fully
    warmup: int | None
    module: str


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable
    target: float | None
    sizes: tuple[int, int]
    module: str


_operations: list[Operation] = []
_query_checks: list[Check] = []
_depth_checks: list[Check] = []
_floors: dict[str, Callable] = {}
_contexts: dict[str, object] = {}


def floor(name: str):
    """Register a bare view `view(request, ctx)`, served at /bench/floor/<name>/."""

    def register(view):
        _floors[name] = view
        return view

    return register


def operation(
    name: str,
    *,
    floor: str,
    target: float,
    client: str | None,
    repeat: int | None = None,
    warmup: int | None = None,
):
    """Register `run(ctx) -> response`, measured against the floor of that name.

    `client` names the ctx attribute holding the operation's test client: the floor is asked
    through the same one, so both pay the same session (saved on every request) and cookies.
    With `client=None` both run in-process: `run(ctx)` returns DONE, the floor gets no request.
    """

    def register(run):
        op = Operation(name, run, floor, target, client, repeat, warmup, run.__module__)
        _operations.append(op)
        return run

    return register


def query_check(name: str, *, sizes: tuple[int, int] = (10, 100)):
    """Register `run(ctx, rows) -> response`; the query counts for both sizes must be equal."""

    def register(run):
        _query_checks.append(Check(name, run, None, sizes, run.__module__))
        return run

    return register


def depth_check(name: str, *, target: float = 1.2):
    """Register `run(ctx, deep: bool) -> response`; the deep page may cost `target` x the first."""

    def register(run):
        _depth_checks.append(Check(name, run, target, (0, 0), run.__module__))
        return run

    return register


def floor_view(request, name: str):
    """The one URL of every floor; the floor's own function does the work."""
    view = _floors.get(name)
    if view is None:
        raise Http404
    return view(request, _contexts[view.__module__])


# --- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    runs: int
    queries: int


@dataclass(frozen=True)
class Row:
    operation: str
    floor: str
    floor_timing: Timing
    timing: Timing
    ratio: float
    target: float
    passed: bool


@dataclass(frozen=True)
class QueryRow:
    name: str
    sizes: tuple[int, int]
    queries: tuple[int, int]
    passed: bool


@dataclass(frozen=True)
class DepthRow:
    name: str
    first: Timing
    deep: Timing
    ratio: float
    target: float
    passed: bool


@dataclass
class Report:
    meta: dict
    rows: list[Row] = field(default_factory=list)
    query_rows: list[QueryRow] = field(default_factory=list)
    depth_rows: list[DepthRow] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        checks = [*self.rows, *self.query_rows, *self.depth_rows]
        return all(item.passed for item in checks)


class BenchError(RuntimeError):
    pass


def _call(run: Callable, *args) -> float:
    started = time.perf_counter_ns()
    response = run(*args)
    elapsed = (time.perf_counter_ns() - started) / 1e6
    if response.status_code >= 400:
        raise BenchError(f"{run.__qualname__} answered {response.status_code}")
    return elapsed


def _queries(run: Callable, *args) -> int:
    with CaptureQueriesContext(connection) as captured:
        run(*args)
    return len(captured)


def _summary(samples: list[float], queries: int) -> Timing:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return Timing(round(statistics.median(ordered), 3), round(p95, 3), len(ordered), queries)


def _counted_call(run: Callable, *args) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        elapsed = _call(run, *args)
    return elapsed, len(captured)


def measure_pair(first: tuple, second: tuple, *, repeat: int, warmup: int) -> tuple[Timing, Timing]:
    """Time two calls, each `(function, *args)`, interleaved so drift hits both alike.

    The queries are counted in one more, untimed call; a pair run once without warm-up (an
    operation too slow to repeat, or the CI's quick run) counts them as it is timed instead."""
    if repeat == 1 and warmup == 0:
        (a, a_queries), (b, b_queries) = _counted_call(*first), _counted_call(*second)
        return _summary([a], a_queries), _summary([b], b_queries)
    for _ in range(warmup):
        _call(*first)
        _call(*second)
    a, b = [], []
    for _ in range(repeat):
        a.append(_call(*first))
        b.append(_call(*second))
    return _summary(a, _queries(*first)), _summary(b, _queries(*second))


def _floor_call(op: Operation, ctx) -> Callable:
    if op.client is None:
        view = _floors[op.floor]

        def direct():
            return view(None, _contexts[view.__module__])

        direct.__qualname__ = f"floor {op.floor}"
        return direct
    method = getattr(ctx, "floor_method", {}).get(op.floor, "get")
    # What the operation sends, the floor gets too: the same form to parse, the same text to index.
    data = getattr(ctx, "floor_data", {}).get(op.floor)
    client = getattr(ctx, op.client)

    def call():
        url = f"/bench/floor/{op.floor}/"
        return getattr(client, method)(url, data) if data else getattr(client, method)(url)

    call.__qualname__ = f"floor {op.floor}"
    return call


def _run_operation(op: Operation, ctx, *, repeat: int, warmup: int) -> Row:
    runs = min(repeat, op.repeat or repeat)
    warm = min(warmup, op.warmup if op.warmup is not None else warmup)
    floor_timing, timing = measure_pair(
        (_floor_call(op, ctx),), (op.run, ctx), repeat=runs, warmup=warm
    )
    ratio = round(timing.median_ms / floor_timing.median_ms, 2)
    return Row(op.name, op.floor, floor_timing, timing, ratio, op.target, ratio <= op.target)


def _run_query_check(check: Check, ctx) -> QueryRow:
    small, large = check.sizes
    # Caches (roles, calendar years, the rendered filter form) fill on a first request of each
    # size: counted are the requests after that, as every later user meets them.
    check.run(ctx, small)
    check.run(ctx, large)
    counts = (_queries(check.run, ctx, small), _queries(check.run, ctx, large))
    return QueryRow(check.name, check.sizes, counts, counts[0] == counts[1])


def _run_depth_check(check: Check, ctx, *, repeat: int, warmup: int) -> DepthRow:
    first, deep = measure_pair(
        (check.run, ctx, False), (check.run, ctx, True), repeat=repeat, warmup=warmup
    )
    ratio = round(deep.median_ms / first.median_ms, 2)
    return DepthRow(check.name, first, deep, ratio, check.target, ratio <= check.target)


def run(
    *,
    repeat: int = 50,
    warmup: int = 5,
    rows: int | None = None,
    progress=None,
    modules: list[str] | None = None,
) -> Report:
    """Measure every registered operation and check (of `modules`, default MODULES), in table
    order. Needs a seeded database."""
    say = progress or (lambda message: None)
    report = Report(meta=_meta(repeat=repeat, warmup=warmup, rows=rows))
    # A signed-in user's session is written at most once a minute (SESSION_TOUCH_SECONDS); the
    # bench asks thousands of times a minute, so that write is left out rather than landing on
    # whichever request crosses the minute (and making the 10- and 100-row counts differ).
    with override_settings(ROOT_URLCONF="bench.urls", SESSION_TOUCH_SECONDS=24 * 3600):
        for module_name in modules or MODULES:
            module = import_module(module_name)
            say(f"{module_name}: setting up ...")
            _contexts[module_name] = ctx = module.setup()
            for op in [o for o in _operations if o.module == module_name]:
                say(f"  {op.name} ...")
                report.rows.append(_run_operation(op, ctx, repeat=repeat, warmup=warmup))
            for check in [c for c in _query_checks if c.module == module_name]:
                report.query_rows.append(_run_query_check(check, ctx))
            for check in [c for c in _depth_checks if c.module == module_name]:
                say(f"  {check.name} ...")
                report.depth_rows.append(_run_depth_check(check, ctx, repeat=repeat, warmup=warmup))
    return report


def _meta(*, repeat: int, warmup: int, rows: int | None) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        server = cursor.fetchone()[0]
    return {
        "rows": rows,
        "repeat": repeat,
        "warmup": warmup,
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "database": server if connection.vendor == "postgresql" else connection.vendor,
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {_cpus()} CPUs",
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


# --- reporting ------------------------------------------------------------------------------


def _ms(timing: Timing) -> str:
    return f"{timing.median_ms:.2f} / {timing.p95_ms:.2f}"


def _verdict(passed: bool) -> str:
    return "pass" if passed else "**miss**"


def markdown(report: Report) -> str:
    meta = report.meta
    rows = f"{meta['rows']:,}" if meta.get("rows") else "?"
    lines = [
        f"{rows} petitions; {meta['repeat']} timed runs after {meta['warmup']} warm-up runs; "
        f"{meta['database'].split(' on ')[0]}, Python {meta['python']}, Django {meta['django']}, "
        f"{meta['machine']}; {meta['measured_at']}.",
        "",
        "| operation | floor | floor ms median / p95 | operation ms median / p95 "
        "| queries (floor, op) | ratio | target | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report.rows:
        lines.append(
            f"| {row.operation} | {row.floor} | {_ms(row.floor_timing)} | {_ms(row.timing)} "
            f"| {row.floor_timing.queries}, {row.timing.queries} | {row.ratio:.2f}× "
            f"| ≤ {row.target:g}× | {_verdict(row.passed)} |"
        )
    lines += ["", "| same queries for 10 and 100 rows | queries | result |", "|---|---|---|"]
    for check in report.query_rows:
        counts = f"{check.queries[0]} for {check.sizes[0]}, {check.queries[1]} for {check.sizes[1]}"
        lines.append(f"| {check.name} | {counts} | {_verdict(check.passed)} |")
    lines += [
        "",
        "| deep page against the first | first ms median / p95 | deep ms median / p95 "
        "| ratio | target | result |",
        "|---|---|---|---|---|---|",
    ]
    for check in report.depth_rows:
        lines.append(
            f"| {check.name} | {_ms(check.first)} | {_ms(check.deep)} | {check.ratio:.2f}× "
            f"| ≤ {check.target:g}× | {_verdict(check.passed)} |"
        )
    return "\n".join(lines) + "\n"


def write_results(report: Report, folder) -> list[Path]:
    """latest.json (every number) and latest.md (the tables) in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = {**asdict(report), "passed": report.passed}
    json_path, md_path = folder / "latest.json", folder / "latest.md"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return [json_path, md_path]
