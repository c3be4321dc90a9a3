"""Member checks against the sex encoded in the ID number (证件性别, derived by ``ids.normalize_ids``).

relation_sex: a gendered 与户主关系 that contradicts it; sex_mismatch: a 性别 column (some exports
have one) that contradicts it. Row-wise comparisons of two columns, done as vectorized pandas
expressions rather than pandera wide checks (see ``values``). Members whose ID is invalid have no
证件性别, and blank or unrecognized 性别 cells (reported as ``vocabulary``), are not checked.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .. import findings
from ..fields import FEMALE_RELATIONS, ID_COLUMN, MALE_RELATIONS
from ..findings import column, from_rows
from . import messages

RELATION, SEX, STATED_SEX = "与户主关系", "证件性别", "性别"


def relation_sex_findings(members: pd.DataFrame) -> pd.DataFrame:
    """One medium finding per member whose relation says one sex and whose ID says the other."""
    if RELATION not in members.columns or SEX not in members.columns:
        return findings.empty()
    relation, sex = members[RELATION], members[SEX]
    wrong = (relation.isin(MALE_RELATIONS) & (sex == "女")) | (relation.isin(FEMALE_RELATIONS) & (sex == "男"))
    return _against_id(members, wrong, RELATION, "relation_sex", messages.relation_sex)


def sex_mismatch_findings(members: pd.DataFrame) -> pd.DataFrame:
    """One medium finding per member whose 性别 (男/女) differs from the sex in the ID number: one of
    the two was entered wrongly, or the ID belongs to someone else."""
    if STATED_SEX not in members.columns or SEX not in members.columns:
        return findings.empty()
    stated, sex = members[STATED_SEX], members[SEX]
    wrong = stated.isin(("男", "女")) & sex.notna() & stated.ne(sex)
    return _against_id(members, wrong, STATED_SEX, "sex_mismatch", messages.sex_mismatch)


def _against_id(
    members: pd.DataFrame, wrong: pd.Series, compared: str, rule_id: str, message: Callable[[str, str], str]
) -> pd.DataFrame:
    """A medium finding per ``wrong`` member: the ``compared`` column's value beside the ID's sex."""
    rows = members[wrong.fillna(False).to_numpy(dtype=bool)]
    values, sexes, ids = column(rows, compared), column(rows, SEX), column(rows, ID_COLUMN)
    return from_rows(
        rows,
        rule_id=rule_id,
        severity="medium",
        messages=[message(v, s) for v, s in zip(values, sexes, strict=True)],
        evidence=[{compared: v, SEX: s, ID_COLUMN: i} for v, s, i in zip(values, sexes, ids, strict=True)],
        person_id=ids,
        name=column(rows, "姓名"),
    )
