"""The data model of the example villages: households, members, planted problems, expected findings.

Everything is built from a fixed seed, so the same households come out on every run. A household
declares the findings it must produce (``expected``); every other household must produce none.
Reference year 2019 (line 3747); ages are whole years at 2019-12-31.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

REGION = "150426"  # 内蒙古自治区赤峰市翁牛特旗
REF = date(2019, 12, 31)
LINE_2019 = 3747
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗于韩冯曹"
MALE = ("建国", "建军", "志强", "国庆", "海军", "永胜", "振华", "文斌", "春生", "德福", "宝山", "玉林",
        "树林", "金山", "立新", "明亮", "浩然", "子轩", "宇航", "俊杰", "占江", "福来", "长青", "国富")
FEMALE = ("桂兰", "秀英", "玉兰", "淑珍", "凤琴", "桂芝", "丽娟", "春梅", "秀兰", "海燕", "晓燕", "丽华",
          "雪梅", "欣怡", "梓涵", "雨欣", "思雨", "佳怡", "玉珍", "凤英", "素芬", "金花")


def check_char(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def age_at_ref(birth: str) -> int:
    y, m, d = int(birth[:4]), int(birth[4:6]), int(birth[6:8])
    return REF.year - y - ((REF.month, REF.day) < (m, d))


@dataclass(frozen=True)
class ExcelNumber:
    """An ID that the workbook stored as a number: 15 significant digits kept, the rest zeros."""

    value: int
    csv_text: str  # how Excel's own CSV export writes it


@dataclass
class Person:
    name: str
    relation: str
    birth: str  # YYYYMMDD as encoded in the ID
    sex: str
    id_cell: str | ExcelNumber = ""
    health: str = "健康"
    school: str = ""
    education: str = ""
    labour: str = ""
    work: str = ""
    work_months: str | int | None = None
    serious_ins: bool = True
    resident_ins: bool = True
    staff_ins: bool = False
    dropout: bool = False
    phone: str = ""
    ethnic: str = ""
    finding_id: str = ""  # person_id as the auditor reports it (normalized or cleaned text)


@dataclass
class Household:
    hid: str
    natural: str
    exited: bool
    members: list[Person]
    incomes: tuple[int, int, int, int, int] | None  # 工资性, 生产经营性, 财产性, 转移性, 生产经营性支出
    kind: str = "一般贫困户"
    cause: str = "缺资金"
    identified: str = "2014-10-15"
    exit_year: str = ""
    danger: bool = False
    grade: str = "B"
    water_safe: bool = True
    water_hard: bool = False
    signed: bool = True
    notice: int = 7
    size: int | None = None  # 人数 as written when it differs from the members listed
    per_capita: float | None = None  # 人均纯收入 as written when not computed from the components
    status_text: str = ""
    ticks: bool = False  # booleans written √/× instead of 是/否
    separators: bool = False  # incomes written as text with thousands separators
    conflict_last_row: float | None = None  # 人均纯收入 written differently on the last member row
    expected: list[tuple[str, str]] = field(default_factory=list)  # (rule_id, person_id)
    plant: str = ""  # what is planted, for the README
    village: str = ""

    @property
    def status(self) -> str:
        return self.status_text or ("已脱贫" if self.exited else "未脱贫")

    @property
    def written_size(self) -> int:
        return self.size if self.size is not None else len(self.members)

    @property
    def income_per_capita(self) -> float | None:
        if self.per_capita is not None:
            return self.per_capita
        if self.incomes is None:
            return None
        w, p, pr, t, e = self.incomes
        return round((w + p + pr + t - e) / len(self.members), 2)


class People:
    """Issues unique valid IDs and names from one seeded random generator."""

    def __init__(self, rng: random.Random, first_seq: int) -> None:
        self.rng = rng
        self.seq = first_seq
        self.issued: set[str] = set()

    def id_for(self, birth: str, sex: str, region: str = REGION) -> str:
        while True:
            self.seq += 1
            # sequence parity gives the sex; never end in 00, so no valid ID looks like a lost-digit number
            if self.seq % 100 == 0 or (self.seq % 2 == 1) != (sex == "男"):
                continue
            first17 = f"{region}{birth}{self.seq % 1000:03d}"
            number = first17 + check_char(first17)
            if number not in self.issued:
                self.issued.add(number)
                return number

    def name(self, sex: str, surname: str | None = None) -> str:
        given = self.rng.choice(MALE if sex == "男" else FEMALE)
        return (surname or self.rng.choice(SURNAMES)) + given

    def birth(self, age: int) -> str:
        month = self.rng.randint(1, 12)
        return f"{REF.year - age}{month:02d}{self.rng.randint(1, 28):02d}"

    def person(self, relation: str, sex: str, age: int, surname: str | None = None, **kw: object) -> Person:
        birth = str(kw.pop("birth", None) or self.birth(age))
        name = str(kw.pop("name", None) or self.name(sex, surname))
        age = age_at_ref(birth)
        p = Person(name, relation, birth, sex, **kw)  # type: ignore[arg-type]
        if not p.id_cell:
            p.id_cell = self.id_for(birth, sex)
        if not p.finding_id and isinstance(p.id_cell, str):
            p.finding_id = p.id_cell.strip().upper()
        fill_defaults(p, age, self.rng)
        return p


def fill_defaults(p: Person, age: int, rng: random.Random) -> None:
    p.ethnic = p.ethnic or ("蒙古族" if rng.random() < 0.15 else "汉族")
    if not p.school:
        p.school = (
            "学龄前儿童" if age < 6 else "小学" if age < 12 else
            {12: "七年级", 13: "八年级", 14: "九年级", 15: "九年级", 16: "高中一年级",
             17: "高中二年级", 18: "高中三年级"}.get(age, "大专及以上" if age < 23 else "非在校生")
        )
    if not p.education:
        p.education = (
            "" if age < 6 else "小学" if age < 12 else "初中" if age < 16 else "高中" if age < 19 else
            "大专及以上" if age < 23 else "文盲或半文盲" if age > 65 else rng.choice(("小学", "初中", "初中", "高中"))
        )
    if not p.labour:
        student = age < 23 and p.school != "非在校生"
        p.labour = (
            "无劳动力" if age < 16 or student else "普通劳动力" if age <= 60 else
            "弱劳动力或半劳动力" if age <= 70 else "丧失劳动力"
        )
        if p.health in ("残疾", "患有大病"):
            p.labour = "丧失劳动力"
    if not p.work and p.labour == "普通劳动力" and 18 <= age <= 55 and rng.random() < 0.6:
        p.work = rng.choice(("县外省内务工", "省外务工", "其他"))
        p.work_months = rng.randint(3, 10)


def family(ppl: People, size: int, head_age: int, rng: random.Random) -> list[Person]:
    """A plausible household: head, spouse, then children (school status matching their age)."""
    head_sex = "男" if size > 1 or rng.random() < 0.6 else "女"
    surname = rng.choice(SURNAMES)
    members = [ppl.person("户主", head_sex, head_age, surname)]
    if size >= 2:
        spouse_sex = "女" if head_sex == "男" else "男"
        members.append(ppl.person("配偶", spouse_sex, head_age - rng.randint(0, 4)))
    child_ages = [a for a in (3, 4, 8, 9, 10, 11, 12, 13, 14, 17, 18, 19, 20) if a <= head_age - 20]
    for _ in range(size - 2):
        sex = rng.choice(("男", "女"))
        members.append(ppl.person("之子" if sex == "男" else "之女", sex, rng.choice(child_ages), surname))
    return members


def incomes_for(per_capita: int, size: int, rng: random.Random) -> tuple[int, int, int, int, int]:
    """Integer components whose net income divided by ``size`` is close to ``per_capita``."""
    net = per_capita * size
    expense = rng.randrange(200, 1200, 100)
    transfer = rng.randrange(600, 2400, 100)
    prop = rng.choice((0, 0, 100, 300))
    wage = int(max(0, (net + expense - transfer - prop) * rng.uniform(0.3, 0.7)) // 100 * 100)
    production = net + expense - transfer - prop - wage
    return wage, production, prop, transfer, expense
