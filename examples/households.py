"""The households of the example villages, with the problems planted in them.

庄头营子村 (赤峰市翁牛特旗梧桐花镇, 58 households, 94 member rows) follows the village's 2019
review: two households truly cannot exit (王德明户 and 李秀梅户, the review's 王某明户 and 李某梅户),
most others could exit but have not (should_exit_meets_standard), and each built-in data check and
each exit rule is planted once, on its own household. 东营子村 is clean: no finding at all.
"""

from __future__ import annotations

import random
from dataclasses import replace

from village import (
    LINE_2019,
    ExcelNumber,
    Household,
    People,
    Person,
    check_char,
    family,
    incomes_for,
)

NATURAL = ("庄头营子", "东营子", "后沟")


def _wrong_check(number: str) -> str:
    right = number[-1]
    return number[:-1] + ("3" if right != "3" else "5")


def _numeric_id() -> ExcelNumber:
    """15 significant digits then zeros, exactly representable as a double, check char not 0."""
    for k in "26":  # the 15-digit prefix must be divisible by 4 for the double to be exact
        first17 = f"15042619800101{k}00"
        if check_char(first17) != "0":
            return ExcelNumber(int(first17 + "0"), "1.50426E+17")
    raise AssertionError("no usable numeric ID")


def _id_with_x(ppl: People, p: Person) -> None:
    """Re-issue ``p``'s ID until its check character is X, and write it in lower case."""
    while True:
        number = ppl.id_for(p.birth, p.sex)
        if number.endswith("X"):
            p.id_cell, p.finding_id = number.lower(), number
            return


def zhuangtouyingzi() -> list[Household]:
    rng = random.Random(20191231)
    ppl = People(rng, 100)
    P = ppl.person  # noqa: N806
    out: list[Household] = []

    def add(exited: bool, members: list[Person], incomes: tuple[int, int, int, int, int] | None,
            plant: str = "", expected: list[tuple[str, str]] | None = None, **kw: object) -> Household:
        h = Household("", "", exited, members, incomes, plant=plant, expected=expected or [], **kw)  # type: ignore[arg-type]
        out.append(h)
        return h

    # the two households that truly cannot exit: no finding
    add(False, [P("户主", "男", 61, name="王德明", health="残疾"),
                P("配偶", "女", 59, name="赵桂芝", health="患有大病"),
                P("之子", "男", 31, name="王小军", health="残疾")],
        (0, 3200, 0, 6600, 900), "the review's 王某明户 (head 王德明): disabled head, son with intellectual disability, bedridden wife; below the line, not exited",
        kind="低保贫困户", cause="因残")
    add(False, [P("户主", "女", 44, name="李秀梅", health="患有大病"),
                P("之女", "女", 17, name="李欣怡")],
        (0, 2400, 0, 3600, 600), "the review's 李某梅户 (head 李秀梅): mother with mental illness supporting a student; below the line, not exited",
        kind="低保贫困户", cause="因病")

    # ID checks: on households that are not exited and below the line, so no rule looks at them
    wife = P("配偶", "女", 62)
    wife.id_cell = wife.finding_id = _wrong_check(str(wife.id_cell))
    add(False, [P("户主", "男", 64), wife], incomes_for(3100, 2, rng), "wife's ID has a wrong check character",
        [("id_check_digit", wife.finding_id)])
    p = P("户主", "男", 50, birth="19690230")
    add(False, [p], incomes_for(3200, 1, rng), "ID with birth date 1969-02-30 (check character right)",
        [("id_birth_date", p.finding_id)])
    p = P("户主", "女", 58)
    p.id_cell = p.finding_id = str(p.id_cell)[:10] + str(p.id_cell)[11:]
    add(False, [p], incomes_for(2900, 1, rng), "17-character ID (one digit dropped)", [("id_length", p.finding_id)])
    p = P("户主", "男", 39, birth="19800101", id_cell=_numeric_id())
    assert isinstance(p.id_cell, ExcelNumber)
    p.finding_id = str(p.id_cell.value)
    add(False, [p], incomes_for(3300, 1, rng), "ID cell stored as a number (digits lost)",
        [("id_excel_number", p.finding_id)])
    mother = P("之母", "女", 79)
    mother.id_cell = mother.finding_id = ""
    add(False, [P("户主", "男", 52), mother], incomes_for(3000, 2, rng), "mother's ID empty", [("id_missing", "")])
    p = P("户主", "男", 45)
    p.id_cell = p.finding_id = str(p.id_cell)[:12] + "O" + str(p.id_cell)[13:]
    add(False, [p], incomes_for(3400, 1, rng), "letter O typed for a zero in the ID", [("id_chars", p.finding_id)])
    baby = P("之女", "女", 0, birth="20200211")
    add(False, [P("户主", "女", 27), baby], incomes_for(3200, 2, rng), "daughter's ID gives birth 2020-02-11, after the reference date",
        [("id_future_birth", baby.finding_id)])

    # other data checks: on households that exited properly (or, for the conflict, are below the line)
    head = P("户主", "男", 57, birth="19620315")
    upgraded = str(head.id_cell)
    head.id_cell, head.finding_id = upgraded[:6] + upgraded[8:17], upgraded
    add(True, [head, P("配偶", "女", 55)], incomes_for(5600, 2, rng), "head has a 15-digit legacy ID",
        [("id_15_digit", upgraded)], exit_year="2018")
    son = P("之子", "男", 27)
    son.id_cell = son.finding_id = ppl.id_for(son.birth, "女")
    add(True, [P("户主", "男", 58), P("配偶", "女", 56), son], incomes_for(6100, 3, rng),
        "之子 whose ID encodes a woman", [("relation_sex", son.finding_id)], exit_year="2018")
    add(True, [P("配偶", "女", 54), P("之子", "男", 28)], incomes_for(5300, 2, rng), "no member is 户主",
        [("head_missing", "")], exit_year="2019")
    add(True, [P("户主", "男", 45, "郭"), P("户主", "男", 42, "郭")], incomes_for(6800, 2, rng),
        "two members are 户主", [("head_multiple", "")], exit_year="2018")
    add(True, [P("户主", "男", 66), P("配偶", "女", 63)], None, "人数 3 but 2 members listed (income components blank)",
        [("size_mismatch", "")], exit_year="2017", per_capita=6150.0, size=3)
    add(True, [P("户主", "男", 47)], (2400, 1800, 0, 1200, 300), "人均纯收入 5800 but components give 5100",
        [("income_arithmetic", "")], exit_year="2018", per_capita=5800.0)
    add(True, [P("户主", "男", 49), P("配偶", "女", 48)], (9000, 2400, -300, 1200, 800),
        "财产性收入 -300 (arithmetic consistent)", [("negative_income", "")], exit_year="2019")
    son = P("之子", "男", 24, education="中专")
    add(True, [P("户主", "女", 52), son], incomes_for(5900, 2, rng), "文化程度 中专 (outside the vocabulary)",
        [("vocabulary", son.finding_id)], exit_year="2019")
    parents = [P("户主", "男", 48), P("配偶", "女", 46)]
    daughter = P("之女", "女", 13, school="学龄前儿童")  # 失学辍学 否: schooling known, the status stale
    add(False, [*parents, daughter], incomes_for(3100, 3, rng),
        "人均纯收入 3100 on two rows, 3600 on the last row (both below the line); daughter aged 13 still 学龄前儿童",
        [("household_conflict", ""), ("school_status_stale", daughter.finding_id)], conflict_last_row=3600.0)
    head = P("户主", "男", 41, work="县外省内务工", work_months="半年")
    add(True, [head, P("配偶", "女", 39)], incomes_for(7200, 2, rng), "务工时间 written 半年",
        [("unreadable_value", head.finding_id)], exit_year="2019")
    son = P("之子", "男", 36)
    add(True, [P("户主", "男", 69), son], incomes_for(5200, 2, rng), "son also listed as head of the next household",
        [("duplicate_person", son.finding_id)], exit_year="2018")
    add(True, [replace(son, relation="户主", phone="")], incomes_for(8800, 1, rng), "the same person as 户主 of his own household",
        [("duplicate_person", son.finding_id)], exit_year="2019")

    # exit rules: each once, on an exited household otherwise clean
    add(True, [P("户主", "女", 67)], (0, 2600, 0, 1100, 200), "exited 2019 with 人均纯收入 3500",
        [("exit_income_below_line", "")], exit_year="2019")
    child = P("之子", "男", 10, birth="20090412", school="非在校生", dropout=True)
    add(True, [P("户主", "男", 37), P("配偶", "女", 35), child], incomes_for(5400, 3, rng),
        "healthy son aged 10 out of school", [("exit_child_out_of_school", child.finding_id)], exit_year="2019")
    wife = P("配偶", "女", 53, resident_ins=False)
    add(True, [P("户主", "男", 55), wife], incomes_for(6300, 2, rng), "wife in neither medical insurance",
        [("exit_no_medical_insurance", wife.finding_id)], exit_year="2018")
    add(True, [P("户主", "男", 72)], incomes_for(4800, 1, rng), "危房户 是, 危房级别 C",
        [("exit_unsafe_housing", "")], exit_year="2018", danger=True, grade="C")
    add(True, [P("户主", "女", 70)], incomes_for(4600, 1, rng), "饮水安全 否, 饮水困难 是",
        [("exit_unsafe_water", "")], exit_year="2019", water_safe=False, water_hard=True)
    add(True, [P("户主", "男", 44), P("配偶", "女", 43)], incomes_for(6500, 2, rng),
        "identified 2019-03-20 and exited 2019", [("exit_same_year_identified", "")],
        exit_year="2019", identified="2019-03-20")
    add(True, [P("户主", "男", 63)], incomes_for(5100, 1, rng), "签字确认 否",
        [("exit_without_signature", "")], exit_year="2019", signed=False)
    add(True, [P("户主", "男", 59), P("配偶", "女", 57)], incomes_for(5500, 2, rng), "公示天数 5",
        [("exit_short_public_notice", "")], exit_year="2019", notice=5)
    add(True, [P("户主", "女", 74)], None, "exited with 人均纯收入 (and every income) blank",
        [("exit_cannot_judge", "")], exit_year="2019")

    # boundaries that must produce no finding
    p = P("户主", "男", 65)
    _id_with_x(ppl, p)
    add(True, [p], (0, 3000, 0, LINE_2019 - 3000 + 300, 300),
        "boundary: exited 2019 with 人均纯收入 exactly 3747; ID ending in lower-case x", exit_year="2019")
    add(True, [P("户主", "男", 43), P("配偶", "女", 41),
               P("之子", "男", 16, birth="20031231", school="非在校生", education="初中")],
        incomes_for(5000, 3, rng), "boundary: son aged exactly 16 on 2019-12-31, out of school", exit_year="2019")
    add(True, [P("户主", "男", 38), P("配偶", "女", 36),
               P("之女", "女", 9, birth="20100618", health="残疾", school="非在校生", dropout=True)],
        incomes_for(5800, 3, rng), "boundary: disabled daughter aged 9 out of school (taught at home)", exit_year="2018")
    head = P("户主", "女", 60)
    head.id_cell = f" {head.id_cell} "
    add(True, [head, P("之子", "男", 34, resident_ins=False, staff_ins=True)], incomes_for(9400, 2, rng),
        "boundary: son in 城镇职工 insurance only; head's ID padded with spaces", exit_year="2019")
    add(True, [P("户主", "男", 68)], (0, 2500, 0, 1200, 300),
        "boundary: exited 2017 with 人均纯收入 3400 (line of 2017: 3335)", exit_year="2017")

    # the rest: not exited though every criterion holds (the review's finding), and a few exited properly
    sizes = [1] * 16 + [2] * 6 + [3]
    rng.shuffle(sizes)
    boundary_done = False
    for i, size in enumerate(sizes):
        head_age = rng.randint(58, 80) if size == 1 else rng.randint(40, 70) if size == 2 else 42
        members = family(ppl, size, head_age, rng)
        should = i < 20
        plant = "not exited though every criterion holds" if should else ""
        if should and size == 1 and not boundary_done:
            boundary_done = True
            incomes = (0, 3000, 0, LINE_2019 - 3000 + 300, 300)
            plant = "not exited, 人均纯收入 exactly 3747 and every guarantee: should exit"
        else:
            incomes = incomes_for(rng.randrange(4200, 9000, 50), size, rng)
        add(not should, members, incomes, plant,
            [("should_exit_meets_standard", "")] if should else [],
            status_text=rng.choice(("未脱贫", "未脱贫", "贫困户")) if should else "")
    _finish(out, rng, "1504261072030", "庄头营子村")
    return out


def clean_village() -> list[Household]:
    """东营子村: 20 households, 14 exited properly, 6 not exited and below the line."""
    rng = random.Random(20200108)
    ppl = People(rng, 600)
    out: list[Household] = []
    for i in range(20):
        exited = i % 10 < 7
        size = rng.choice((1, 1, 2, 2, 3, 4))
        members = family(ppl, size, rng.randint(42, 76) if size < 3 else rng.randint(38, 45), rng)
        per_capita = rng.randrange(4300, 11000, 50) if exited else rng.randrange(2400, 3600, 50)
        out.append(Household("", "", exited, members, incomes_for(per_capita, size, rng),
                             kind=rng.choice(("一般贫困户", "低保贫困户")),
                             exit_year=rng.choice(("2017", "2018", "2019")) if exited else ""))
    _finish(out, rng, "1504261072150", "东营子村", ("东营子", "西沟"))
    return out


def _finish(out: list[Household], rng: random.Random, prefix: str, village: str,
            natural: tuple[str, ...] = NATURAL) -> None:
    """Number the households, give them natural villages, phones, causes and writing styles."""
    causes = ("缺资金", "缺技术", "缺劳动力", "因病", "因学", "缺土地", "自身发展动力不足")
    for n, h in enumerate(out, start=1):
        h.hid = f"{prefix}{n:03d}"
        h.village = village
        h.natural = natural[n % len(natural)]
        if h.cause == "缺资金":
            h.cause = rng.choice(causes)
        if h.exited and not h.exit_year:
            h.exit_year = rng.choice(("2017", "2018", "2019"))
        if h.identified == "2014-10-15":
            h.identified = rng.choice(("2014-10-15", "2014-11-03", "2015-09-20", "2016-08-12"))
        h.ticks = rng.random() < 0.15
        h.separators = h.incomes is not None and h.conflict_last_row is None and rng.random() < 0.12
        if not h.members[0].phone:
            h.members[0].phone = f"1{rng.choice('358')}{rng.randint(100000000, 999999999)}"
