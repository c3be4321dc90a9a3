"""relation_sex: a gendered 与户主关系 that contradicts the sex encoded in the ID number.

A row-wise comparison of two columns (与户主关系 and 证件性别, derived by ``ids.normalize_ids``),
done as a vectorized pandas expression rather than a pandera wide check (see ``values``). Members
whose ID is invalid have no 证件性别 and are not checked.
"""

from __future__ import annotations

import pandas as pd

from .. import findings
from ..fields import FEMALE_RELATIONS, ID_COLUMN, MALE_RELATIONS
from ..findings import column, from_rows
from . import messages

RELATION, SEX = "与户主关系", "证件性别"


def relation_sex_findings(members: pd.DataFrame) -> pd.DataFrame:
    """One medium finding per member whose relation says one sex and whose ID says the other."""
    if RELATION not in members.columns or SEX not in members.columns:
        return findings.empty()
    relation, sex = members[RELATION], members[SEX]
    wrong = (relation.isin(MALE_RELATIONS) & (sex == "女")) | (relation.isin(FEMALE_RELATIONS) & (sex == "男"))
    rows = members[wrong.fillna(False).to_numpy(dtype=bool)]
    relations, sexes, ids = column(rows, RELATION), column(rows, SEX), column(rows, ID_COLUMN)
    return from_rows(
        rows,
        rule_id="relation_sex",
        severity="medium",
        messages=[messages.relation_sex(r, s) for r, s in zip(relations, sexes, strict=True)],
        evidence=[
            {RELATION: r, SEX: s, ID_COLUMN: i} for r, s, i in zip(relations, sexes, ids, strict=True)
        ],
        person_id=ids,
        name=column(rows, "姓名"),
    )
