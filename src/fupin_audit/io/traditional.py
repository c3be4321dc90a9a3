"""Traditional → Simplified for the characters that occur in registry headers and vocabularies.

Registries from Hong Kong/Taiwan-configured machines, or typed with a Traditional input method, write
戶編號 for 户编号 and 脫貧屬性 for 脱贫属性. A full converter (OpenCC) is heavy and converts phrases;
here a character table is enough: it covers every character of the field catalogue (fields.py) and
the vocabularies, plus the words that usually sit next to them in headers (備註, 合計, 金額 …).
Characters not in the table pass through unchanged.
"""

from __future__ import annotations

import pandas as pd

# Traditional character followed by its Simplified form, grouped loosely by where they occur.
_PAIRS = (
    # household, person, ID
    "戶户 戸户 編编 號号 碼码 證证 個个 員员 與与 關关 係系 繫系 稱称 屬属 類类 別别 識识 認认 確确 誤误 錯错"
    # location
    " 縣县 鄉乡 鎮镇 區区 組组 園园 莊庄 灣湾 嶺岭 溝沟 壩坝 塊块 場场"
    # status, kinds, causes
    " 脫脱 貧贫 態态 狀状 況况 穩稳 準准 標标 減减 災灾 殘残 資资 術术 勞劳 動动 發发 髮发 條条 後后 長长 無无 喪丧 養养 專专"
    " 師师 職职 級级 學学 齡龄 兒儿 孫孙 壻婿 姪侄 嶽岳 親亲 歲岁 難难 飲饮 決决 監监 測测 對对 檔档 劃划 計计 導导 統统 數数"
    " 據据 歷历 曆历 間间 時时 週周 階阶 適适 輟辍"
    # health, insurance, education
    " 醫医 療疗 險险 參参 農农 義义 務务 會会 輔辅 護护 殯殡 讀读 書书 習习 預预 費费 補补 償偿 貼贴"
    # income, money
    " 產产 經经 營营 財财 轉转 純纯 積积 額额 錢钱 銀银 賬账 帳帐 幣币 價价 貸贷 億亿 萬万 總总 實实 際际 現现 單单 項项 業业"
    " 車车 輛辆 門门 買买 賣卖 廠厂 機机 幫帮 幹干 乾干 責责 簽签 評评 議议"
    # water, housing
    " 質质 淨净 樓楼 磚砖 牆墙 蓋盖 點点 線线 綫线 網网 電电 話话 聯联 絡络 郵邮 寫写"
    # headers around the data
    " 備备 註注 說说 審审 達达 復复 複复 報报 續续 連连 種种 頁页 記记 錄录 歸归 兩两 這这 將将 為为 從从 來来 進进 還还 選选"
    " 調调 檢检 驗验 應应 齊齐 鄰邻 紀纪 較较 傳传 負负 擔担 結结 論论 規规 則则 處处 雙双 離离 異异 婦妇 獨独 體体 視视 聽听"
    " 畝亩 語语 勵励 獎奖 衛卫 環环 廣广 觀观"
)

TABLE: dict[str, str] = {pair[0]: pair[1] for pair in _PAIRS.split()}

_TRANSLATION = str.maketrans(TABLE)


def to_simplified(text: str) -> str:
    """Replace the Traditional characters of ``text`` that the table knows by their Simplified form."""
    return text.translate(_TRANSLATION)


def series_to_simplified(values: pd.Series) -> pd.Series:
    """``to_simplified`` over a text Series, converting each distinct value once."""
    distinct = values.dropna().unique()
    changed = {v: s for v in distinct if (s := to_simplified(v)) != v}
    if not changed:
        return values
    return values.replace(changed)
