"""The seven reference lists (DESIGN.md): payroll, cadres, relatives, vehicles, property, business, deaths.

Each has ``n`` rows with the canonical column names; about 3% of the people are registry members,
the rest are not on the registry (their IDs use sequence numbers 600..999, which members never have).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from synth import choose, date_text, join, number_text, outside_ids, random_dates, random_names

MATCH_SHARE = 0.03
REGIONS = np.array([530326, 530302, 530303, 530381, 530322])
VEHICLES = ["小型轿车", "小型普通客车", "微型普通客车", "轻型普通货车", "微型普通货车", "重型半挂牵引车",
            "普通二轮摩托车", "普通三轮摩托车", "轻便二轮摩托车", "三轮汽车", "低速货车", "变型拖拉机", "轮式专用机械车"]
VEHICLE_P = [0.25, 0.08, 0.07, 0.06, 0.04, 0.02, 0.2, 0.1, 0.05, 0.05, 0.04, 0.03, 0.01]
PLATE_LETTERS = list("ABCDEFGHJKLMNPQ")


def _people(rng: np.random.Generator, n: int, ids: pa.ChunkedArray, names: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """IDs and names: a share drawn from the registry members, the rest people not on it."""
    matched = pa.array(rng.random(n) < MATCH_SHARE)
    pick = pa.array(rng.integers(0, len(ids), n))
    return (pc.if_else(matched, ids.take(pick).combine_chunks(), outside_ids(rng, n, REGIONS)),
            pc.if_else(matched, names.take(pick).combine_chunks(), random_names(rng, n)))


def _dates(rng: np.random.Generator, n: int, first: str, last: str = "2019-12-31") -> pa.Array:
    return date_text(random_dates(rng, n, first, last))


def reference_lists(rng: np.random.Generator, n: int, ids: pa.ChunkedArray, names: pa.ChunkedArray,
                    villages: pa.ChunkedArray) -> dict[str, pa.Table]:
    out: dict[str, pa.Table] = {}
    pid, nm = _people(rng, n, ids, names)
    out["payroll"] = pa.table({
        "证件号码": pid, "姓名": nm,
        "单位": choose(rng, ["会泽县人民医院", "会泽县第一中学", "会泽县农业农村局", "娜姑镇人民政府", "者海镇中心学校"], n),
        "入编日期": _dates(rng, n, "1990-01-01")})
    pid, nm = _people(rng, n, ids, names)
    out["cadres"] = pa.table({
        "证件号码": pid, "姓名": nm, "行政村": pc.unique(villages).take(
            pa.array(rng.integers(0, len(pc.unique(villages)), n))),
        "职务": choose(rng, ["村党总支书记", "村委会主任", "村委会副主任", "村委会委员", "村监委会主任", "村民小组长"], n),
        "任职日期": _dates(rng, n, "2011-01-01")})
    relative, _ = _people(rng, n, ids, names)
    out["relatives"] = pa.table({
        "证件号码": out["cadres"]["证件号码"].take(pa.array(rng.integers(0, n, n))).combine_chunks(),
        "亲属证件号码": relative,
        "关系": choose(rng, ["配偶", "父母", "子女", "兄弟姐妹", "祖父母", "孙子女", "儿媳", "女婿"], n)})
    pid, _ = _people(rng, n, ids, names)
    out["vehicles"] = pa.table({
        "证件号码": pid,
        "号牌号码": join("云D", choose(rng, PLATE_LETTERS, n), pc.utf8_lpad(number_text(rng.integers(0, 100000, n)), 5, "0")),
        "车辆类型": choose(rng, VEHICLES, n, VEHICLE_P), "初次登记日期": _dates(rng, n, "2008-01-01")})
    pid, _ = _people(rng, n, ids, names)
    streets = ["会泽县古城街道钟屏路", "会泽县金钟街道振兴路", "曲靖市麒麟区南宁北路", "会泽县以礼街道龙泉路", "昆明市官渡区关上路"]
    out["property"] = pa.table({
        "证件号码": pid, "坐落": join(choose(rng, streets, n), number_text(rng.integers(1, 400, n)), "号"),
        "房屋用途": choose(rng, ["住宅", "商品房", "商业", "门市房", "车库"], n), "登记日期": _dates(rng, n, "2010-01-01")})
    pid, nm = _people(rng, n, ids, names)
    kind = rng.choice(3, n, p=[0.7, 0.15, 0.15])
    out["business"] = pa.table({
        "证件号码": pid,
        "主体名称": join("会泽县", nm, pa.array(["便利店", "商贸有限公司", "种养殖专业合作社"]).take(pa.array(kind))),
        "主体类型": pa.array(["个体工商户", "有限责任公司", "农民专业合作社"]).take(pa.array(kind)),
        "角色": pc.if_else(pa.array(kind == 0), "经营者", choose(rng, ["法定代表人", "股东"], n)),
        "登记状态": choose(rng, ["存续", "在业", "注销", "吊销", "迁出"], n, [0.45, 0.3, 0.15, 0.05, 0.05]),
        "成立日期": _dates(rng, n, "2005-01-01")})
    pid, nm = _people(rng, n, ids, names)
    out["deaths"] = pa.table({"证件号码": pid, "姓名": nm, "死亡日期": _dates(rng, n, "2015-01-01")})
    return out
