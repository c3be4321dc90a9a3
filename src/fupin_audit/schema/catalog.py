"""The built-in data checks by rule id: a title and what each looks for, for the report (概览 按规则,
规则说明). They are code, not rules-file SQL; their kind and severity are those of their findings."""

from __future__ import annotations

BUILT_IN: dict[str, tuple[str, str]] = {
    "id_missing": ("证件号码为空", "成员的证件号码为空：无法与名单比对，也无法判断重复"),
    "id_excel_number": ("证件号码被存为数字", "证件号码曾被 Excel 存为数字，后几位已变为0，无法恢复，须从原始档案重新录入"),
    "id_chars": ("证件号码含非法字符", "证件号码含有数字和末位X以外的字符（如字母O、空格以外的符号）"),
    "id_length": ("证件号码位数不对", "证件号码不是18位（或15位旧号码）"),
    "id_birth_date": ("证件号码出生日期不存在", "证件号码中的出生日期不存在（如2月30日）或早于1900年"),
    "id_future_birth": ("证件号码出生日期晚于基准日", "证件号码中的出生日期晚于核查基准日"),
    "id_check_digit": ("证件号码校验位错误", "按 GB 11643-1999 计算的校验位与末位不符：号码有错录"),
    "id_15_digit": ("15位旧证件号码", "15位旧号码已按规则升级为18位用于比对，建议更新档案"),
    "vocabulary": ("取值不在字典内", "枚举列（文化程度、健康状况、脱贫属性等）的取值不在国家系统字典内"),
    "negative_income": ("收入为负数", "收入项为负数"),
    "unreadable_value": ("无法识别的值", "单元格的值无法按列的类型读取（如数字列写“半年”），已按空值处理"),
    "relation_sex": ("与户主关系与性别不符", "与户主关系（之子、之女等）与证件号码显示的性别不符"),
    "sex_mismatch": ("性别列与证件号码不符", "性别列与证件号码第17位显示的性别不符"),
    "head_missing": ("户内没有户主", "户内成员中没有与户主关系为“户主”的人"),
    "head_multiple": ("户内有多名户主", "户内有多人的与户主关系为“户主”"),
    "size_mismatch": ("家庭人口数与名单人数不符", "户的家庭人口数与名单中的成员人数不符"),
    "income_arithmetic": ("人均纯收入与收入构成不符", "人均纯收入与（各项收入−生产经营性支出）÷人数的计算值相差超过允许误差"),
    "duplicate_person": ("一人登记在多户", "同一证件号码登记在两个或以上的户中"),
    "duplicate_in_household": ("户内重复登记", "同一证件号码在同一户内登记两次以上"),
    "household_id_missing": ("户编号为空", "成员行没有户编号，无法归户"),
    "household_conflict": ("同户各行取值不一致", "同一户各成员行上的户级信息（人均纯收入、脱贫属性等）不一致，已取户主行的值"),
    "household_repeated": ("户编号重复", "同一户编号在户表中出现多次"),
    "orphan_member": ("成员无对应户", "人员表中的成员在户表中找不到对应的户编号"),
}
"""Rule id → (title, what the check looks for)."""
