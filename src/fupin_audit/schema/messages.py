"""The Chinese sentence of each built-in data check: one sentence naming the values concerned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..idcard import check_character


def money(value: float) -> str:
    return f"{value:.2f}"


def id_missing() -> str:
    return "证件号码为空，请从原始档案补录"


def id_length(value: str) -> str:
    return f"证件号码“{value}”为{len(value)}位，应为18位（或15位旧号码）"


def id_chars(value: str) -> str:
    return f"证件号码“{value}”含有数字和末位X以外的字符"


def expected_check(value: str) -> str:
    return check_character(value[:17])


def id_check_digit(value: str) -> str:
    return f"证件号码“{value}”校验位错误，应为“{expected_check(value)}”"


def birth_digits(value: str) -> str:
    """The birth date as written in the number: YYYYMMDD (18 digits) or YYMMDD (15 digits)."""
    return value[6:14] if len(value) == 18 else value[6:12]


def id_birth_date(value: str) -> str:
    return f"证件号码“{value}”中的出生日期“{birth_digits(value)}”不存在或早于1900年"


def birth_date(value: str) -> dt.date:
    """Birth date of an 18-digit number whose date exists (used for future births)."""
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_future_birth(value: str, as_of: dt.date) -> str:
    return f"证件号码“{value}”中的出生日期{birth_date(value).isoformat()}晚于核查基准日{as_of.isoformat()}"


def id_15_digit(value: str, upgraded: str) -> str:
    return f"证件号码“{value}”为15位旧号码，已按规则升级为18位“{upgraded}”"


def id_excel_number(value: str) -> str:
    return f"证件号码“{value}”曾被Excel存为数字，后几位已丢失，无法恢复，请从原始档案重新录入"


def relation_sex(relation: str, sex: str) -> str:
    return f"与户主关系为“{relation}”，但证件号码显示为{sex}性"


def sex_mismatch(stated: str, sex: str) -> str:
    return f"性别登记为{stated}，但证件号码显示为{sex}性"


def head_missing(size: int) -> str:
    if size == 0:
        return "名单中没有该户的成员，因而没有与户主关系为“户主”的人"
    return f"户内{size}名成员中没有与户主关系为“户主”的人"


def head_multiple(count: int, names: Sequence[str]) -> str:
    listed = "、".join(names)
    return f"户内有{count}人的与户主关系为“户主”" + (f"（{listed}）" if listed else "")


def size_mismatch(stated: int, listed: int) -> str:
    return f"家庭人口数为{stated}，但名单中有{listed}人"


def income_arithmetic(stated: float, computed: float) -> str:
    return (
        f"人均纯收入{money(stated)}元与收入构成计算值{money(computed)}元"
        f"相差{money(abs(stated - computed))}元"
    )


def negative_income(column: str, value: float) -> str:
    return f"{column}为{money(value)}元，收入不应为负数"


def vocabulary(column: str, value: str) -> str:
    return f"{column}的取值“{value}”不在字典内"


def duplicate_in_household(person_id: str, earlier: str) -> str:
    return f"证件号码“{person_id}”在本户名单中重复出现（首次见于 {earlier}），请删除重复的行"


def duplicate_person(person_id: str, others: Sequence[str], total: int | None = None) -> str:
    """``others`` named; ``total`` the number of other households when more than those."""
    if total is not None and total > len(others):
        return f"证件号码“{person_id}”同时登记在其他{total:,}户：{'、'.join(others)}等（列出前{len(others)}户）"
    return f"证件号码“{person_id}”同时登记在其他户：{'、'.join(others)}"
