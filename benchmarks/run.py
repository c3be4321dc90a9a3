"""Time every phase of an audit on generated data, beside the plain readers, with peak memory.

    python benchmarks/run.py --members 500000 --refs 100000 --format xlsx
    python benchmarks/run.py --members 5000000 --refs 1000000 --format parquet

Generates the data first when it is missing (benchmarks/generate.py; same seed, same files). Then:
1. the plain readers on the registry file (fastexcel for .xlsx, pyarrow for .parquet/.csv);
2. the audit's phases in this process (read, normalize, registry, schema, rules, report, findings);
3. ``fupin-audit check`` end to end in a child process, with its peak memory (``--without-report``:
   also with ``--no-report``; ``--repeat N``: plain parse and end to end alternately N times, the
   median ratio printed, as the machine's speed drifts between runs);
and prints the ratios the project holds itself to (README "Performance").

fupin-audit's own modules are byte-compiled first, as ``pip install`` does: an editable install run
with PYTHONDONTWRITEBYTECODE=1 would otherwise compile them on every start (≈ 0.1 s).
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastexcel
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

import fupin_audit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fupin_audit.io.normalize import normalize_table  # noqa: E402
from fupin_audit.io.reader import read_file  # noqa: E402
from fupin_audit.registry import build_registry  # noqa: E402
from fupin_audit.report.files import write_findings  # noqa: E402
from fupin_audit.rules import load_rules, resolve_as_of, run_rules  # noqa: E402
from fupin_audit.schema import check_registry  # noqa: E402
from generate import generate  # noqa: E402

REFERENCE_NAMES = ("payroll", "cadres", "relatives", "vehicles", "property", "business", "deaths")


def timed(label: str, timings: dict[str, float], work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    value = work()
    timings[label] = time.perf_counter() - started
    print(f"  {label:<28}{timings[label]:8.2f} s", flush=True)
    return value


def plain_parse(path: Path) -> int:
    """The fastest available reader, parse only: the floor the audit is measured against."""
    if path.suffix == ".xlsx":
        return int(fastexcel.read_excel(path).load_sheet(0, dtypes="string").to_arrow().num_rows)
    if path.suffix == ".parquet":
        return int(pq.read_table(path).num_rows)
    return int(pacsv.read_csv(path).num_rows)


def xlsxwriter_rate(rows: list[list[str]], out: Path) -> float:
    """Rows per second plain xlsxwriter reaches in constant_memory mode for the same cells."""
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = workbook.add_worksheet("问题清单")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    workbook.close()
    return len(rows) / (time.perf_counter() - started)


def in_process(registry_file: Path, data: Path, out: Path) -> dict[str, float]:
    timings: dict[str, float] = {}
    read = timed("read (raw cells)", timings, lambda: read_file(registry_file))
    tables = timed("normalize", timings, lambda: [normalize_table(raw) for raw in read.tables])
    registry = timed("registry", timings, lambda: build_registry(tables))
    ruleset = load_rules()
    as_of, _ = resolve_as_of(None, ruleset, registry.households)
    registry, schema_findings = timed("schema", timings, lambda: check_registry(registry, as_of))
    run = timed("rules", timings, lambda: run_rules(ruleset, registry, as_of))
    found = len(schema_findings) + len(run.findings)
    print(f"  findings: {found:,} (schema {len(schema_findings):,}, rules {len(run.findings):,})")
    frame = run.findings
    timed("findings .parquet", timings, lambda: write_findings(frame, out / "findings.parquet"))
    rows = frame.astype(str).to_numpy().tolist()
    timings["xlsxwriter rows/s"] = xlsxwriter_rate(rows, out / "plain.xlsx") if rows else 0.0
    return timings


def end_to_end(registry_file: Path, data: Path, out: Path, with_refs: bool, report: bool = True) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB, of all children so far) of ``fupin-audit check`` with the
    findings file and (unless ``report`` is false: ``--no-report``) the Excel report."""
    (out / "run.log").unlink(missing_ok=True)
    command = [
        shutil.which("fupin-audit") or "fupin-audit", "check", str(registry_file),
        *(["--report", str(out / "report.xlsx")] if report else ["--no-report"]),
        "--findings", str(out / "findings.parquet"),
        "--quiet", "--fail-on", "never", "--log", str(out / "run.log"),
    ]
    if with_refs:
        for name in REFERENCE_NAMES:
            path = data / f"{name}{registry_file.suffix}"
            if path.exists():
                command += ["--ref", f"{name}={path}"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        print(done.stderr, file=sys.stderr)
        raise SystemExit(f"fupin-audit check failed with exit code {done.returncode}")
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    return wall, peak_gb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--refs", type=int, default=100_000)
    parser.add_argument("--format", choices=("xlsx", "parquet", "csv"), default="xlsx")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--no-refs", action="store_true", help="end to end without the reference lists")
    parser.add_argument("--skip-phases", action="store_true", help="only the plain reader and end to end")
    parser.add_argument("--repeat", type=int, default=1, help="plain parse and end to end, alternately, N times")
    parser.add_argument("--without-report", action="store_true", help="also end to end with --no-report")
    args = parser.parse_args()
    compileall.compile_dir(Path(fupin_audit.__file__).parent, quiet=1)
    data = args.data / f"{args.members}_{args.refs}_{args.format}"
    registry_file = data / f"registry.{args.format}"
    if not registry_file.exists():
        print(f"generating {data} …", flush=True)
        generate(args.members, args.refs, data, args.format)
    out = data / "out"
    out.mkdir(exist_ok=True)
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}  {registry_file}  cores={os.cpu_count()}")
    timings: dict[str, float] = {}
    rows = timed("plain reader (parse only)", timings, lambda: plain_parse(registry_file))
    print(f"  rows: {rows:,}  ({rows / timings['plain reader (parse only)']:,.0f} rows/s)")
    if not args.skip_phases:
        timings |= in_process(registry_file, data, out)
    ratios, walls, peaks = [], [], []
    for attempt in range(args.repeat):
        if attempt:
            timed("plain reader (parse only)", timings, lambda: plain_parse(registry_file))
        if args.without_report:
            wall, _ = end_to_end(registry_file, data, out, not args.no_refs, report=False)
            print(f"  {'end to end, --no-report':<28}{wall:8.2f} s")
        wall, peak = end_to_end(registry_file, data, out, not args.no_refs)
        print(f"  {'fupin-audit check (end to end)':<28}{wall:8.2f} s   peak RSS {peak:.2f} GB")
        walls.append(wall)
        peaks.append(peak)
        ratios.append(wall / timings["plain reader (parse only)"])
        print(f"ratio end-to-end / plain parse: {ratios[-1]:.2f}")
        print((out / "run.log").read_text(encoding="utf-8").strip())
    if len(ratios) > 1:
        print(f"median ratio over {len(ratios)} runs: {statistics.median(ratios):.2f}")
    if "xlsxwriter rows/s" in timings:
        print(f"plain xlsxwriter constant_memory: {timings['xlsxwriter rows/s']:,.0f} rows/s")
    for line in verdicts(args.format, args.members, statistics.median(walls), max(peaks), statistics.median(ratios)):
        print(line)


def verdicts(fmt: str, members: int, wall: float, peak_gb: float, ratio: float) -> list[str]:
    """Issue 6's targets that this run measures, each with the median and whether it was met."""
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    if fmt == "xlsx":
        return [f"target: end to end within 2.0x the plain parse: median {ratio:.2f}x, {met(ratio <= 2.0)}"]
    if fmt == "parquet" and members == 500_000:
        return [f"target: 500k Parquet within 5 s: median {wall:.2f} s, {met(wall <= 5.0)}"]
    if fmt == "parquet" and members == 5_000_000:
        ok = wall <= 60.0 and peak_gb < 8.0
        return [f"target: 5M Parquet within 60 s under 8 GB: median {wall:.2f} s, peak {peak_gb:.2f} GB, {met(ok)}"]
    return []

if __name__ == "__main__":
    main()
