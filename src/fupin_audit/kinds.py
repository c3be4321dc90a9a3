"""The catalogue of finding kinds (DOMAIN.md §5): code, Chinese title, what it means."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    description: str


KINDS: tuple[Kind, ...] = (
    Kind("wrongful_exit", "错退", "标记已脱贫，但收入低于标准线或“两不愁三保障”未实现"),
    Kind("should_exit", "应退未退", "未脱贫，但各项退出标准均已达到，或识别后出现不再符合条件的情形"),
    Kind("wrongful_inclusion", "错评", "识别时即不符合条件（八类人员等）"),
    Kind("favoritism", "优亲厚友", "村干部近亲属在册，或村干部为亲属的帮扶责任人"),
    Kind("deceased_listed", "死亡未销", "已死亡人员仍在册，或死亡后仍脱贫、享受政策"),
    Kind("duplicate_person", "人员重复", "同一证件号码出现在两个户中"),
    Kind("inconsistent_treatment", "同类不同策", "同村情况基本相同的户，识别或退出状态不同"),
    Kind("data_error", "数据错误", "证件号码无效、性别与证件号码或关系矛盾、户主缺失或重复、人数或收入不符、取值不在字典内"),
    Kind("monitoring_risk", "返贫风险", "已脱贫户收入低于防返贫监测范围"),
    Kind("procedure_defect", "程序缺失", "退出程序不完整：当年识别即退出、未签字确认、公示不足7天"),
)

BY_CODE: dict[str, Kind] = {k.code: k for k in KINDS}
KIND_CODES: tuple[str, ...] = tuple(k.code for k in KINDS)

SEVERITIES: tuple[str, ...] = ("high", "medium", "low")
SEVERITY_TITLES: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}
