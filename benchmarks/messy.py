"""Time ``check`` on a messy copy of the generated county and ``diff`` against a next year's snapshot.

    python benchmarks/messy.py --members 500000 --refs 100000

The generated county (benchmarks/generate.py, Parquet) is clean but for its few planted problems.
Real exports are messier, and work done per finding or per change must not make them slow. From the
county this writes (deterministically, --seed) into benchmarks/data/<members>_<refs>_parquet/:
- ``messy.parquet``: 3% of members listed under another household (so their household's values
  disagree), 5% of the cells of eight columns blank, 2% of five columns unreadable, 3% of ID numbers
  wrong (check character, cut to 15 digits, or another member's);
- ``copied_id.parquet``: one valid ID number copied into 3,000 rows of other households;
- ``next_year.parquet``: a year later — 2% of members and 1% of households gone, 1% of members moved
  to another household, 1% new people, 3% of households exited or returned, 1% renumbered.
Then runs, each in its own child process with its peak memory: ``fupin-audit check`` on the first
two and ``fupin-audit diff registry.parquet next_year.parquet``, with the seven lists, the Excel
report and the findings file.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

REFERENCE_NAMES = ("payroll", "cadres", "relatives", "vehicles", "property", "business", "deaths")
HOUSEHOLD, ID, STATUS = "户编号", "身份证号码", "脱贫属性"
BLANKED = ("人均纯收入（元）", "脱贫年度", "首次识别时间", "与户主关系", "在校生状况", "健康状况", "转移性收入", "签字确认")
GARBLED = ("人均纯收入（元）", "脱贫年度", "首次识别时间", "公示天数", "工资性收入")
GARBAGE = np.array(["不详", "待核", "12月", "两千", "1,2,3"], dtype=object)


def share(rng: np.random.Generator, n: int, fraction: float) -> np.ndarray:
    return rng.random(n) < fraction


def messy(county: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    frame = county.copy()
    n = len(frame)
    households = frame[HOUSEHOLD].unique()
    moved = share(rng, n, 0.03)
    frame.loc[moved, HOUSEHOLD] = rng.choice(households, int(moved.sum()))
    for column in BLANKED:
        frame.loc[share(rng, n, 0.05), column] = None
    for column in GARBLED:
        garbled = share(rng, n, 0.02)
        frame.loc[garbled, column] = rng.choice(GARBAGE, int(garbled.sum()))
    ids = frame[ID].astype(str).to_numpy(dtype=object)
    wrong = np.flatnonzero(share(rng, n, 0.01))
    ids[wrong] = [value[:-1] + ("0" if value[-1] != "0" else "1") for value in ids[wrong]]
    cut = np.flatnonzero(share(rng, n, 0.01))
    ids[cut] = [value[:15] for value in ids[cut]]
    copied = np.flatnonzero(share(rng, n, 0.01))
    ids[copied] = ids[rng.integers(0, n, len(copied))]
    frame[ID] = ids
    return frame


def copied_id(county: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    frame = county.copy()
    rows = rng.choice(len(frame), 3000, replace=False)
    frame.iloc[rows, frame.columns.get_loc(ID)] = frame[ID].iloc[0]
    return frame


def next_year(county: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    frame = county[~share(rng, len(county), 0.02)].copy()
    households = frame[HOUSEHOLD].unique()
    gone = rng.choice(households, len(households) // 100, replace=False)
    frame = frame[~frame[HOUSEHOLD].isin(gone)]
    moved = share(rng, len(frame), 0.01)
    frame.loc[moved, HOUSEHOLD] = rng.choice(households, int(moved.sum()))
    newcomers = np.flatnonzero(share(rng, len(frame), 0.01))
    frame.iloc[newcomers, frame.columns.get_loc(ID)] = [f"53032619900101{i % 10000:04d}" for i in range(len(newcomers))]
    flipped = frame[HOUSEHOLD].isin(rng.choice(households, len(households) * 3 // 100, replace=False))
    frame.loc[flipped, STATUS] = np.where(frame.loc[flipped, STATUS].eq("已脱贫"), "未脱贫", "已脱贫")
    renumbered = set(rng.choice(np.setdiff1d(households, gone), len(households) // 100, replace=False))
    frame[HOUSEHOLD] = [f"{h[:-3]}999{h[-3:]}" if h in renumbered else h for h in frame[HOUSEHOLD]]
    return frame


def measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of one command, run under its own parent process."""
    probe = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True);"
             "sys.stderr.buffer.write(done.stderr);"
             "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    code, peak_kb = (int(v) for v in done.stdout.split())
    if code not in (0, 1):
        print(done.stderr, file=sys.stderr)
        raise SystemExit(f"{' '.join(command[:2])} failed with exit code {code}")
    return wall, peak_kb / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--refs", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    folder = args.data / f"{args.members}_{args.refs}_parquet"
    county_file = folder / "registry.parquet"
    if not county_file.exists():
        generate(args.members, args.refs, folder, "parquet")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    county = pq.read_table(county_file).to_pandas()
    for index, (name, make) in enumerate((("messy", messy), ("next_year", next_year), ("copied_id", copied_id))):
        if not (folder / f"{name}.parquet").exists():  # each from its own stream: either can be made alone
            make(county, np.random.default_rng([args.seed, index])).to_parquet(folder / f"{name}.parquet", index=False)
    refs = [option for name in REFERENCE_NAMES for option in ("--ref", f"{name}={folder / f'{name}.parquet'}")]
    program = shutil.which("fupin-audit") or "fupin-audit"
    runs = {
        "check messy.parquet": [program, "check", str(folder / "messy.parquet")],
        "check copied_id.parquet": [program, "check", str(folder / "copied_id.parquet")],
        "diff registry.parquet next_year.parquet": [program, "diff", str(county_file), str(folder / "next_year.parquet")],
    }
    print(f"{folder}  members={args.members:,}")
    for label, command in runs.items():
        stem = label.split()[-1].split(".")[0]
        wall, peak = measured([*command, *refs, "--report", str(out / f"{stem}_report.xlsx"),
                               "--findings", str(out / f"{stem}_findings.parquet"), "--quiet", "--fail-on", "never"])
        found = pq.read_metadata(out / f"{stem}_findings.parquet").num_rows
        print(f"  {label:<42}{wall:8.2f} s   peak RSS {peak:.2f} GB   findings {found:,}")


if __name__ == "__main__":
    main()
