"""--mask-ids outputs carry keyed finding ids: no plain id (SHA-256 over the whole ID number, which
the masked ID and a birth-date search recover) reaches the report, --json, the findings files or the
已整改 rows; --baseline still matches, whichever way either file was written."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fupin_audit import audit
from fupin_audit.cli.app import app
from fupin_audit.masking import mask_findings
from test_baseline import SOURCE, next_year

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TEAM_KEY = "0123456789abcdef0123456789abcdef"


def write_findings(registry: Path, path: Path, *extra: str) -> pd.DataFrame:
    out = runner.invoke(app, ["check", str(registry), "--no-report", "--quiet", "--findings", str(path), *extra])
    assert out.exit_code in (0, 1), out.stderr
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig") if path.suffix == ".csv" else pd.DataFrame()


def workbook_text(path: Path) -> str:
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, header=None, engine="calamine")
    return "\n".join(frame.fillna("").to_csv(index=False) for frame in sheets.values())


def test_no_masked_output_holds_a_plain_id(tmp_path: Path) -> None:
    earlier = tmp_path / "2019.csv"
    write_findings(SOURCE, earlier)  # unmasked: plain ids, one of them resolved next year
    registry, fixed_id, _ = next_year(tmp_path)
    plain = set(audit(registry).findings["finding_id"]) | set(pd.read_csv(earlier, dtype=str)["finding_id"])
    assert fixed_id in plain and any(len(p) == 18 for p in audit(registry).findings["person_id"])
    masked = ["--mask-ids", "--baseline", str(earlier)]
    outputs = []
    for suffix in (".csv", ".jsonl"):
        write_findings(registry, tmp_path / f"m{suffix}", *masked)
        outputs.append((tmp_path / f"m{suffix}").read_text(encoding="utf-8-sig"))
    write_findings(registry, tmp_path / "m.parquet", *masked)
    outputs.append(pd.read_parquet(tmp_path / "m.parquet").to_csv(index=False))
    report = tmp_path / "m.xlsx"
    runner.invoke(app, ["check", str(registry), "--report", str(report), "--quiet", *masked])
    outputs.append(workbook_text(report))
    document = runner.invoke(app, ["check", str(registry), "--no-report", "--json", *masked]).stdout
    outputs.append(document)
    assert json.loads(document)["resolved"] and "已整改" in workbook_text(report)
    for text in outputs:
        assert "********" in text
        assert not [p for p in plain if p in text]


def test_the_keyed_id_is_the_hmac_of_the_team_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_AUDIT_ID_KEY", TEAM_KEY)
    plain = audit(SOURCE).findings
    masked = write_findings(SOURCE, tmp_path / "m.csv", "--mask-ids")
    expected = [hmac.new(TEAM_KEY.encode(), p.encode(), hashlib.sha256).hexdigest()[:16] for p in plain["finding_id"]]
    assert masked["finding_id"].tolist() == expected


@pytest.mark.parametrize("earlier_masked", [True, False])
@pytest.mark.parametrize("now_masked", [True, False])
def test_baseline_matches_however_either_file_was_written(tmp_path: Path, earlier_masked: bool, now_masked: bool) -> None:
    earlier = tmp_path / "2019.csv"
    first = write_findings(SOURCE, earlier, *(["--mask-ids"] if earlier_masked else []))
    registry, fixed_id, new_household = next_year(tmp_path)
    now = write_findings(registry, tmp_path / "now.csv", "--baseline", str(earlier), *(["--mask-ids"] if now_masked else []))
    assert (now["change"] == "新增").sum() == 1
    assert (now["change"] == "持续").sum() == len(now) - 1 == len(first) - 1
    assert now.loc[now["change"] == "新增", "household_id"].tolist() == [new_household]
    report = tmp_path / "2020.xlsx"
    runner.invoke(app, ["check", str(registry), "--baseline", str(earlier), "--report", str(report), "--quiet",
                        *(["--mask-ids"] if now_masked else [])])
    resolved = pd.read_excel(report, sheet_name="已整改", dtype=str, engine="calamine")
    (shown,) = resolved["问题编号"]
    gone = first.loc[first["rule_id"].eq(resolved["规则编号"].item()) & first["household_id"].eq(resolved["户编号"].item())]
    if earlier_masked or not now_masked:  # as the earlier file wrote it
        assert shown == gone["finding_id"].item() == (shown if earlier_masked else fixed_id)
    else:  # an unmasked earlier file's plain id, keyed like every id of a masked output
        assert shown != fixed_id and len(shown) == 16
        assert shown == mask_findings(audit(SOURCE).findings.query("finding_id == @fixed_id"))["finding_id"].item()


def test_ids_already_keyed_are_kept() -> None:
    found = audit(SOURCE).findings
    assert mask_findings(found, ids_keyed=True)["finding_id"].tolist() == found["finding_id"].tolist()
    assert not set(mask_findings(found)["finding_id"]) & set(found["finding_id"])


def test_diff_findings_file_holds_keyed_ids(tmp_path: Path) -> None:
    old, new = EXAMPLES / "snapshots" / "2019.xlsx", EXAMPLES / "snapshots" / "2020.xlsx"
    plain, masked = tmp_path / "plain.csv", tmp_path / "masked.csv"
    for path, extra in ((plain, []), (masked, ["--mask-ids"])):
        runner.invoke(app, ["diff", str(old), str(new), "--no-report", "--quiet", "--findings", str(path), *extra])
    plain_ids = set(pd.read_csv(plain, dtype=str)["finding_id"])
    text = masked.read_text(encoding="utf-8-sig")
    assert plain_ids and "********" in text and not [p for p in plain_ids if p in text]
