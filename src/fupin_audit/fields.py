"""The field catalogue: every registry column the tool knows, its canonical name, type and aliases.

Canonical names are the national system's Chinese field names (DOMAIN.md §1), shortened where the
system's own name carries punctuation that would need quoting in SQL (县(市、区、旗) → 县).
Aliases are matched after header cleaning (see ``io/headers.py``), so they are listed here in their
plain Simplified form without spaces, units or numbering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["key", "household", "member"]
"""key: present on both tables (location, 户编号); household: one value per household; member: per person."""

FieldType = Literal["text", "id", "bool", "number", "int", "date", "year", "enum"]


@dataclass(frozen=True)
class Field:
    name: str
    level: Level
    type: FieldType
    aliases: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()
    description: str = ""


RELATIONS = (
    "户主", "配偶", "之子", "之女", "之儿媳", "之女婿", "之孙子", "之孙女", "之外孙子", "之外孙女",
    "之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆", "之祖父", "之祖母", "之兄弟姐妹",
    "之侄儿", "之侄女", "其他",
)
MALE_RELATIONS = ("之子", "之女婿", "之孙子", "之外孙子", "之父", "之岳父", "之公公", "之祖父", "之侄儿")
FEMALE_RELATIONS = ("之女", "之儿媳", "之孙女", "之外孙女", "之母", "之岳母", "之婆婆", "之祖母", "之侄女")

EXIT_STATUSES = (
    "已脱贫", "脱贫户", "脱贫", "稳定脱贫", "稳定脱贫户", "脱贫享受政策", "脱贫不享受政策", "享受政策", "不享受政策",
    "已脱贫(享受政策)", "已脱贫(不享受政策)", "脱贫户(享受政策)", "脱贫户(不享受政策)", "脱贫监测户",
)
POOR_STATUSES = ("未脱贫", "贫困户", "新识别", "返贫", "返贫户")
STATUSES = EXIT_STATUSES + POOR_STATUSES + ("清退", "自然减少", "识别错误")

HOUSEHOLD_KINDS = ("一般贫困户", "低保贫困户", "特困供养贫困户", "五保贫困户", "低保户", "特困供养户", "五保户")
POVERTY_CAUSES = (
    "因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳动力", "缺劳力", "缺资金",
    "交通条件落后", "自身发展动力不足",
)
HEALTH = ("健康", "长期慢性病", "患有大病", "残疾")
LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
SCHOOLING = (
    "非在校生", "学龄前儿童", "学前教育", "小学", "七年级", "八年级", "九年级",
    "高中一年级", "高中二年级", "高中三年级", "中职一年级", "中职二年级", "中职三年级",
    "高职一年级", "高职二年级", "高职三年级", "大专及以上",
    "小学一年级", "小学二年级", "小学三年级", "小学四年级", "小学五年级", "小学六年级",
)
EDUCATION = ("文盲或半文盲", "小学", "初中", "高中", "大专及以上", "技师", "高职高专", "本科及研究生及以上")
WORK = ("乡（镇）内务工", "乡（镇）外县内务工", "县外省内务工", "省外务工", "其他")
HOUSING_GRADES = ("A", "B", "C", "D")

FIELDS: tuple[Field, ...] = (
    # keys: on both tables
    Field("县", "key", "text", ("县(市、区、旗)", "县市区旗", "县市区", "县区", "县市", "旗县", "县名称", "县名", "所属县")),
    Field("乡镇", "key", "text", ("乡(镇)", "乡镇(街道)", "乡镇街道", "乡", "镇", "乡镇名称", "乡镇名", "所属乡镇")),
    Field("行政村", "key", "text", ("村", "村名", "所在村", "行政村名称", "村名称", "所属行政村")),
    Field("自然村", "key", "text", ("自然村(组)", "村民小组", "组", "村民组")),
    Field("户编号", "key", "text", ("户号", "户编码", "家庭编号", "户识别号", "户主编号")),
    # member level
    Field("序号", "member", "text", ("行号", "序"), description="row number of the export; kept, not audited"),
    Field("人编号", "member", "text", ("人员编号", "个人编号", "成员编号")),
    Field("姓名", "member", "text", ("成员姓名", "人员姓名", "家庭成员姓名")),
    Field("证件号码", "member", "id", ("身份证号", "身份证号码", "公民身份号码", "身份证件号码", "证件号", "身份证")),
    Field("与户主关系", "member", "enum", ("与户主的关系", "家庭关系", "关系"), RELATIONS),
    Field("性别", "member", "enum", (), ("男", "女")),
    Field("民族", "member", "text"),
    Field("文化程度", "member", "enum", ("学历", "受教育程度"), EDUCATION),
    Field("在校生状况", "member", "enum", ("在校生情况", "在校情况", "就学状况"), SCHOOLING),
    Field("健康状况", "member", "enum", ("健康情况",), HEALTH),
    Field("劳动技能", "member", "enum", ("劳动能力",), LABOUR),
    Field("务工状况", "member", "enum", ("务工情况",), WORK),
    Field("务工时间", "member", "number", ("务工时间(月)", "务工月数", "务工时长")),
    Field("参加大病医疗", "member", "bool", ("参加大病保险", "大病保险", "大病医疗")),
    Field(
        "是否参加城乡居民基本医疗保险", "member", "bool",
        ("参加城乡居民基本医疗保险", "城乡居民基本医疗保险", "基本医疗保险", "参加基本医疗保险", "参加新农合", "新农合"),
    ),
    Field("是否参加城镇职工基本医疗保险", "member", "bool", ("参加城镇职工基本医疗保险", "城镇职工基本医疗保险", "职工医保")),
    Field(
        "是否义务教育阶段适龄儿童少年失学辍学", "member", "bool",
        ("义务教育阶段适龄儿童少年失学辍学", "失学辍学", "是否失学辍学"),
    ),
    Field("联系电话", "member", "text", ("电话", "手机号码", "联系方式", "手机号", "联系电话号码")),
    # household level
    Field("户主姓名", "household", "text", ("户主",)),
    Field("户主证件号码", "household", "id", ("户主身份证号", "户主身份证号码", "户主证件号", "户主公民身份号码")),
    Field("家庭人口数", "household", "int", ("人数", "家庭人口", "户人数", "家庭人数", "人口数", "家庭成员数", "家庭总人口")),
    Field("脱贫属性", "household", "enum", ("脱贫状态", "贫困状态", "户状态", "是否脱贫"), STATUSES),
    Field("贫困户属性", "household", "enum", ("贫困户类型", "贫困户性质"), HOUSEHOLD_KINDS),
    Field("主要致贫原因", "household", "enum", ("致贫原因", "致贫主因"), POVERTY_CAUSES),
    Field("是否危房户", "household", "bool", ("危房户", "危房")),
    Field("危房级别", "household", "enum", ("危房等级", "房屋等级", "危房鉴定等级"), HOUSING_GRADES),
    Field("是否解决安全饮用水", "household", "bool", ("饮水安全", "安全饮水", "是否饮水安全", "饮水是否安全", "解决安全饮用水")),
    Field("饮水困难", "household", "bool", ("是否饮水困难",)),
    Field("年度", "household", "year", ("数据年度", "统计年度")),
    Field("数据日期", "household", "date", ("导出日期", "统计日期")),
    Field("识别标准", "household", "text"),
    Field("首次识别时间", "household", "date", ("识别时间", "识别日期", "首次识别日期", "识别年度", "建档立卡年度")),
    Field("脱贫年度", "household", "year", ("脱贫年份", "计划脱贫年度", "脱贫时间")),
    Field("返贫年度", "household", "year", ("返贫年份", "返贫时间")),
    Field("户类型", "household", "text"),
    Field("监测对象类别", "household", "text", ("监测对象类型",)),
    Field("工资性收入", "household", "number", ("工资收入", "务工收入")),
    Field("生产经营性收入", "household", "number", ("生产经营收入", "经营性收入")),
    Field("财产性收入", "household", "number", ("财产收入",)),
    Field("转移性收入", "household", "number", ("转移收入",)),
    Field("生产经营性支出", "household", "number", ("生产经营支出", "经营性支出")),
    Field("低保金", "household", "number"),
    Field("五保金", "household", "number", ("特困供养金", "五保金特困供养金")),
    Field("养老保险金", "household", "number", ("养老金",)),
    Field("生态补偿金", "household", "number"),
    Field("计划生育金", "household", "number"),
    Field("其他转移性收入", "household", "number"),
    Field("纯收入", "household", "number", ("家庭纯收入", "年纯收入", "家庭年纯收入")),
    Field("人均纯收入", "household", "number", ("人均收入", "家庭人均纯收入", "年人均纯收入", "家庭年人均纯收入")),
    Field("住房面积", "household", "number"),
    Field("帮扶责任人", "household", "text", ("帮扶人", "帮扶干部", "帮扶责任人姓名")),
    Field("帮扶责任人证件号码", "household", "id", ("帮扶责任人身份证号",)),
    Field("签字确认", "household", "bool", ("是否签字确认", "户主签字确认", "贫困户签字确认")),
    Field("公示天数", "household", "int", ("公示时间", "公示期")),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}

INCOME_COMPONENTS = ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入")
INCOME_EXPENSE = "生产经营性支出"
INCOMES = INCOME_COMPONENTS + (
    INCOME_EXPENSE, "低保金", "五保金", "养老保险金", "生态补偿金", "计划生育金", "其他转移性收入",
    "纯收入", "人均纯收入",
)

HOUSEHOLD_KEY = "户编号"
ID_COLUMN = "证件号码"
REQUIRED_MEMBER_COLUMNS = (HOUSEHOLD_KEY,)
"""Members also need 证件号码 or 姓名 (either will do)."""


def fields_of(level: Level) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.level == level)
