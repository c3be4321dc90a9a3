"""--mask-ids: one ID, a column of IDs, IDs inside free text, the findings table, other frames."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin_audit import audit
from fupin_audit.masking import mask_findings, mask_frame, mask_id, mask_series, mask_text
from test_report_fixtures import ID_15, ID_A, ID_B, sample_findings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_mask_id_keeps_first_six_and_last_four() -> None:
    assert mask_id("110101199003078035") == "110101********8035"
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("110101900307803") == "110101******803"


def test_mask_id_odd_lengths_keep_only_last_four() -> None:
    assert mask_id("11010119900307803") == "*************7803"
    assert mask_id("12345") == "*2345"
    assert mask_id("1234") == "1234"
    assert mask_id("") == ""


@settings(deadline=None, max_examples=60)
@given(st.lists(st.text(alphabet="0123456789Xx中 ", max_size=22), max_size=30))
def test_mask_series_equals_mask_id(values: list[str]) -> None:
    series = pd.Series(values, dtype="str")
    assert mask_series(series).tolist() == [mask_id(v) for v in values]


def test_mask_series_keeps_missing_values_missing() -> None:
    masked = mask_series(pd.Series([ID_A, None], dtype="str"))
    assert masked.iloc[0] == "110101********8035"
    assert pd.isna(masked.iloc[1])


def test_mask_text_masks_every_id_and_nothing_else() -> None:
    text = pd.Series(
        [
            f"证件号码{ID_A},{ID_B}；旧号{ID_15}。",
            "户编号 4305210102030001 银行卡 6217000012345678901",
            "110101199003078035x".upper(),
            "",
        ],
        dtype="str",
    )
    masked = mask_text(text).tolist()
    assert masked[0] == "证件号码110101********8035,110105********002X；旧号110101******803。"
    assert masked[1] == text[1]  # 16- and 19-digit numbers are not ID numbers
    assert masked[2] == "110101********8035X"  # an ID followed by a letter is still masked
    assert masked[3] == ""


def test_mask_findings_masks_person_id_and_text_but_not_household() -> None:
    found = sample_findings()
    masked = mask_findings(found)
    assert ID_A not in "".join(masked.to_numpy().ravel())
    assert ID_15 not in "".join(masked.to_numpy().ravel())
    assert set(masked["person_id"]) == {"", "110101********8035", "110105********002X"}
    assert masked["household_id"].tolist() == found["household_id"].tolist()
    assert masked["name"].tolist() == found["name"].tolist()
    assert ID_A in "".join(found["message"])  # the input is not modified



def test_an_id_checks_finding_is_masked_however_the_id_was_written() -> None:
    cases = [  # (rule_id, person_id, the cell as read)
        ("id_length", "15042619611051129", "15042619611051129"),
        ("id_chars", "150426197411O01174", "150426197411o01174"),
        ("id_length", "1504261975020710451", "1504261975020710451"),
        ("id_check_digit", "150426196001181029", "150426 19600118-1029"),
        ("id_check_digit", "150426195509281098", "１５０４２６１９５５０９２８１０９８"),
        ("id_chars", "1504261980\"0101123", '1504261980"0101123'),  # a quote: escaped inside the JSON
    ]
    rows = []
    for rule_id, person, raw in cases:
        evidence = json.dumps({"原始值": raw, "证件号码": person}, ensure_ascii=False, sort_keys=True)
        rows.append({**sample_findings().iloc[0].to_dict(), "rule_id": rule_id, "person_id": person,
                     "message": f"证件号码“{person}”有误", "evidence": evidence})
    masked = mask_findings(pd.DataFrame(rows))
    text = "".join(masked[["person_id", "message", "evidence", "name", "source"]].to_numpy().ravel())
    for _, person, raw in cases:
        assert person not in text and raw not in text and json.dumps(raw, ensure_ascii=False)[1:-1] not in text
    assert [json.loads(e)["原始值"][-4:] for e in masked["evidence"]] == [raw[-4:] for _, _, raw in cases]
    assert masked["message"].tolist()[0] == "证件号码“*************1129”有误"

def test_mask_frame_masks_id_columns_and_ids_in_text() -> None:
    frame = pd.DataFrame(
        {
            "亲属证件号码": pd.Series([ID_A, None, "12345"], dtype="str"),
            "说明": pd.Series([f"见 {ID_B}", "无", None], dtype="str"),
            "备注": pd.Series([{"a": 1}, f"x{ID_15}", 3], dtype=object),
            "日期": pd.to_datetime(["2020-01-01", None, "2021-02-03"]),
        }
    )
    masked = mask_frame(frame)
    assert masked["亲属证件号码"].iloc[0] == "110101********8035"
    assert pd.isna(masked["亲属证件号码"].iloc[1])
    assert masked["亲属证件号码"].iloc[2] == "*2345"
    assert masked["说明"].iloc[0] == "见 110105********002X"
    assert masked["备注"].tolist() == [{"a": 1}, "x110101******803", 3]
    assert masked["日期"].equals(frame["日期"])


def test_a_masked_id_check_does_not_quote_the_birth_date_the_mask_hides() -> None:
    """150426********1116 beside 出生日期“19690230” is the whole number again; a 15-digit number
    shown with its last 4 digits kept one digit of the birth date."""
    found = audit(EXAMPLES / "zhuangtouyingzi.xlsx").findings
    births = found[found["rule_id"].isin(["id_birth_date", "id_future_birth"])]
    assert len(births) == 2
    masked = mask_findings(found)
    texts = " ".join(masked.loc[births.index, ["message", "evidence"]].to_numpy().ravel())
    for quoted in ("19690230", "20200211", "2020-02-11"):
        assert quoted in " ".join(births[["message", "evidence"]].to_numpy().ravel())
        assert quoted not in texts
    assert "核查基准日2019-12-31" in texts  # other dates stay
    upgraded = masked[masked["rule_id"].eq("id_15_digit")]
    (evidence,) = upgraded["evidence"]
    assert "150426******121" in evidence and "150426*****5121" not in evidence
