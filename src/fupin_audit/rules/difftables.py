"""The tables ``scope: diff`` rules see besides the newer registry: ``changes`` (one row per change
between two snapshots, built by fupin_audit.diff) and ``old_households`` / ``old_members`` (the older
registry, with every catalogue column). Declared here so that ``rules lint`` binds diff rules
against empty tables of exactly these columns."""

from __future__ import annotations

import pandas as pd

from .sandbox import empty_frames

CHANGES_COLUMNS: dict[str, str] = {
    "层级": "VARCHAR",          # 户 / 成员
    "变化类型": "VARCHAR",      # 新识别 脱贫 返贫 清退 自然减少 状态不明 状态未变 | 出生 婚入 迁入 死亡 迁出 分户
    "户变化": "VARCHAR",        # the household's 变化类型, on every row (member rows too)
    "户编号": "VARCHAR",        # the household in the newer snapshot (the older one's id when it left)
    "原户编号": "VARCHAR",      # the household in the older snapshot (NULL for 新识别)
    "匹配方式": "VARCHAR",      # 户编号 / 成员重合 (renumbered) / NULL
    "县": "VARCHAR",
    "乡镇": "VARCHAR",
    "行政村": "VARCHAR",
    "证件号码": "VARCHAR",      # member rows: the person (normalized)
    "姓名": "VARCHAR",
    "与户主关系": "VARCHAR",
    "年龄": "BIGINT",           # at the newer snapshot's reference date
    "原脱贫属性": "VARCHAR",
    "新脱贫属性": "VARCHAR",
    "原人均纯收入": "DOUBLE",
    "新人均纯收入": "DOUBLE",
    "原转移性收入": "DOUBLE",
    "新转移性收入": "DOUBLE",
    "原成员数": "BIGINT",
    "新成员数": "BIGINT",
    "成员明细": "BOOLEAN",      # the household's member rows are in each snapshot that has it (members
                                # compared, 成员数 counted); FALSE: 成员数 is the stated 家庭人口数 (NULL if blank)
    "原脱贫年度": "BIGINT",
    "新脱贫年度": "BIGINT",
    "新返贫年度": "BIGINT",
    "相关户编号": "VARCHAR",    # where the person went (分户) or came from (迁入); for a household that
                                # left, the households its members are now in
    "相关人数": "BIGINT",       # for a household that left: how many of its members are in those households
    "在死亡名单": "BOOLEAN",
    "死亡日期": "TIMESTAMP",
    "说明": "VARCHAR",
}

PANDAS_TYPES = {"VARCHAR": "str", "BOOLEAN": "boolean", "DOUBLE": "Float64", "BIGINT": "Int64",
                "TIMESTAMP": "datetime64[ns]"}


def empty_changes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=PANDAS_TYPES[t]) for c, t in CHANGES_COLUMNS.items()})


def empty_diff_tables() -> dict[str, pd.DataFrame]:
    """Zero-row ``changes``, ``old_households``, ``old_members`` with every column typed."""
    households, members = empty_frames()
    return {"changes": empty_changes(), "old_households": households, "old_members": members}


def with_catalogue_columns(frame: pd.DataFrame, empty: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus every column of ``empty`` it lacks, as typed nulls (older exports lack some)."""
    missing = {c: pd.Series(pd.NA, index=frame.index, dtype=empty[c].dtype) for c in empty.columns if c not in frame.columns}
    return frame.assign(**missing) if missing else frame
