#!/usr/bin/env python3
"""Synthetic corpus generator for certscan.

Renders ISO/IEC 20000-1 / ISO/IEC 27001 management-system certificates (simplified
and traditional Chinese, English), bid packages, non-certificates and deliberately
broken inputs, and writes DIR/truth.jsonl describing what each file should yield.

    python3 scripts/gen_certs.py --out DIR [--seed 1] [--preset samples|mixed|accuracy|bad|bench|newlayouts] [--count N]
                                 [--jobs 2]      (bench: --count bid packages of 50-150 pages, default 10,
                                                  + --count scanned certificates + 2 x --count text PDFs)
    python3 scripts/gen_certs.py --out DIR [--seed 1] --spec SPEC.json     (certificates described one by one;
                                                                          --help-spec for the format)

Deterministic for a given --seed (file bytes included: reportlab runs in invariant
mode, zip timestamps are fixed).  Requires Pillow, reportlab, numpy.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import random
import struct
import sys
import time
import zipfile
import zlib
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

# --------------------------------------------------------------------------------------
# constants / resources
# --------------------------------------------------------------------------------------
A4_W, A4_H = 210.0, 297.0
MM_PT = 72.0 / 25.4
INK = (20, 20, 20)
INK_BLUE = (18, 40, 110)
INK_BROWN = (70, 40, 20)
RED = (205, 28, 36)
GOLD = (170, 130, 40)

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
]
FONTS = [p for p in FONT_CANDIDATES if os.path.exists(p)]
if not FONTS:
    sys.exit("gen_certs: no CJK font found (install fonts-noto-cjk or fonts-wqy-zenhei)")
# TrueType-outline fonts reportlab can embed (Noto CJK .ttc are CFF: raster only)
PDF_TTF = {
    "wqy-zenhei": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "wqy-microhei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "uming": "/usr/share/fonts/truetype/arphic/uming.ttc",
    "ukai": "/usr/share/fonts/truetype/arphic/ukai.ttc",
}
PDF_TTF = {k: v for k, v in PDF_TTF.items() if os.path.exists(v)}
PDF_CID = ["STSong-Light", "MSung-Light"]

HERE = Path(__file__).resolve().parent
BODY_CSV_CANDIDATES = [
    HERE.parent / "data" / "cnca-bodies-snapshot.csv",
    Path("/work/shared/data/cnca-bodies-snapshot.csv"),
]


def load_bodies():
    for p in BODY_CSV_CANDIDATES:
        if p.exists():
            rows = []
            with open(p, encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    code = (r.get("body_code") or "").strip()
                    if code and (r.get("status") or "active").strip() == "active":
                        rows.append({"code": code.zfill(3), "name": r["name_zh"].strip(),
                                     "cnca": r["cnca_approval_number"].strip(),
                                     "cnas": (r.get("cnas_code") or "").strip()})
            if rows:
                return rows
    return [
        {"code": "001", "name": "中国质量认证中心", "cnca": "CNCA-R-2002-001", "cnas": ""},
        {"code": "046", "name": "北京海德国际认证有限公司", "cnca": "CNCA-R-2002-046", "cnas": ""},
        {"code": "021", "name": "华夏认证中心有限公司", "cnca": "CNCA-R-2002-021", "cnas": ""},
    ]


BODIES = load_bodies()

# --------------------------------------------------------------------------------------
# simplified -> traditional (character map + phrase overrides, enough for our vocabulary)
# --------------------------------------------------------------------------------------
_S2T_PAIRS = (
    "国國质質认認证證书書编編号號码碼业業务務体體组組织織机機构構称稱册冊统統发發范範围圍盖蓋营營运運维維级級别別"
    "云雲问問题題与與数數据據络絡网網联聯创創汇匯远遠华華兴興达達软軟计計电電产產责責团團东東广廣苏蘇汉漢济濟"
    "宁寧厦廈门門区區楼樓层層园園镇鎮县縣审審监監记記录錄转轉换換标標准準须須于於补補块塊环環识識态態获獲规規"
    "并並询詢员員会會内內兹茲对對户戶实實现現场場结結时時间間长長资資签簽负負总總经經该該满滿颁頒应應过過贵貴继繼"
    "续續则則变變处處开開测測试試设設项項采採购購销銷护護档檔储儲备備难難复復台臺湾灣龙龍锣鑼观觀义義桥橋学學"
    "讯訊验驗这這个個们們为為来來条條页頁决決劳勞动動卫衛医醫药藥历歷优優划劃线線练練筑築检檢际際赛賽宝寶万萬"
    "纪紀协協鉴鑒庆慶阳陽连連岛島无無锡錫师師贸貿进進专專词詞语語读讀写寫图圖评評价價议議请請说說报報传傳输輸"
    "灾災关關称稱绍紹给給约約纳納还還边邊选選适適诚誠谐諧课課调調费費额額领領头頭闻聞阅閱阶階陆陸队隊陈陳张張"
    "刘劉赵趙杨楊黄黃吴吳孙孫郑鄭马馬罗羅谢謝韩韓冯馮邓鄧许許萧蕭伟偉静靜丽麗强強军軍艳艷杰傑涛濤刚剛辉輝鹏鵬"
    "凯凱颖穎红紅飞飛岚嵐从從众眾将將后後庄莊归歸当當导導尔爾亚亞乌烏鲁魯齐齊银銀铁鐵链鏈锁鎖钢鋼铜銅岁歲两兩"
    "状狀况況独獨尽盡属屬屿嶼岭嶺轨軌轮輪轻輕载載较較辅輔辑輯办辦势勢励勵单單卖賣压壓厅廳参參双雙叶葉听聽启啟"
    "响響坏壞坚堅执執扩擴扫掃扬揚担擔拟擬拥擁择擇挂掛损損摄攝术術权權杂雜极極栏欄树樹样樣欢歡气氣沟溝没沒泽澤"
    "洁潔浏瀏润潤渐漸温溫湿濕灵靈炉爐点點热熱爱愛画畫畅暢疗療盘盤础礎确確礼禮离離种種积積稳穩竞競笔筆简簡类類"
    "紧緊细細终終绩績综綜职職肃肅胜勝脑腦节節荣榮虑慮装裝见見视視览覽觉覺订訂讨討让讓训訓讲講论論访訪诉訴译譯"
    "话話详詳误誤诸諸谁誰谈談谋謀谨謹贝貝贡貢财財购購贯貫赋賦赞贊车車轩軒迁遷迟遲递遞逻邏邮郵邻鄰释釋针針钟鐘"
    "钱錢错錯键鍵闭閉险險随隨隐隱顶頂顺順预預频頻颜顏风風饰飾驱驅鱼魚鸟鳥鸿鴻晓曉韦韋宽寬贤賢丰豐凤鳳岗崗壳殼"
    "广廣广廣涌湧聪聰润潤卢盧钦欽隆隆滨濱浔潯邱邱宫宮贞貞荟薈梦夢鸣鳴舆輿碍礙缘緣织織经經纬緯绿綠蓝藍"
    # The rest of the simplified-only characters of the registry's body names and
    # this script's vocabulary (OpenCC s2t, one form each; 余 里 岳 淀 托 left out:
    # their form depends on the word). A traditional certificate prints its names
    # wholly in traditional script, so none of them may stay simplified there.
    "严嚴临臨仑侖兰蘭农農咨諮圆圓声聲奥奧峡峽库庫异異恒恆愿願横橫欧歐泾涇渗滲玛瑪税稅"
    "纵縱纺紡荐薦莱萊蒋蔣虚虛诺諾账賬踪蹤辽遼迈邁违違邺鄴锦錦闵閔饮飲"
)
S2T = {}
for _i in range(0, len(_S2T_PAIRS) - 1, 2):
    a, b = _S2T_PAIRS[_i], _S2T_PAIRS[_i + 1]
    if a != b:
        S2T[a] = b
S2T_PHRASES = {"批准": "批准", "标志": "標誌", "台湾": "台灣", "台北": "台北", "台中": "台中",
               "发布": "發佈", "里": "里", "恢复": "恢復", "系统": "系統", "云服务": "雲服務"}


def s2t(s: str, tw: bool = False) -> str:
    phrases = dict(S2T_PHRASES)
    if tw:
        phrases.update({"信息": "資訊", "云服务": "雲端服務", "数据": "資料", "软件": "軟體",
                        "网络": "網路", "认证": "驗證", "质量": "品質"})
    out, i = [], 0
    keys = sorted(phrases, key=len, reverse=True)
    while i < len(s):
        for k in keys:
            if s.startswith(k, i):
                out.append(phrases[k])
                i += len(k)
                break
        else:
            out.append(S2T.get(s[i], s[i]))
            i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------
# value generators
# --------------------------------------------------------------------------------------
USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check(body17: str) -> str:
    s = sum(USCC_ALPHA.index(ch) * w for ch, w in zip(body17, USCC_W))
    c = 31 - s % 31
    return USCC_ALPHA[0 if c == 31 else c]


def make_uscc(rng: random.Random, region: str) -> str:
    # org code (GB 11714): 8 chars + check (weights 3,7,9,10,5,8,4,2)
    body = "".join(rng.choice("0123456789") for _ in range(8))
    s = sum(int(c) * w for c, w in zip(body, [3, 7, 9, 10, 5, 8, 4, 2]))
    c9 = 11 - s % 11
    org = body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    v = rng.choice(["91", "91", "91", "92", "52", "12"]) + region + org
    return v + uscc_check(v)


assert uscc_check("91371323760038087") == "M"

CITIES = [  # zh, pinyin, region code, districts (zh, en), roads (zh, en)
    ("北京", "Beijing", "110108", [("海淀", "Haidian"), ("朝阳", "Chaoyang"), ("丰台", "Fengtai")],
     [("中关村大街", "Zhongguancun Street"), ("上地信息路", "Shangdi Xinxi Road"), ("科学院南路", "Kexueyuan South Road")]),
    ("上海", "Shanghai", "310115", [("浦东新", "Pudong New"), ("徐汇", "Xuhui"), ("闵行", "Minhang")],
     [("张江路", "Zhangjiang Road"), ("漕河泾开发区宜山路", "Yishan Road"), ("碧波路", "Bibo Road")]),
    ("深圳", "Shenzhen", "440305", [("南山", "Nanshan"), ("福田", "Futian"), ("龙华", "Longhua")],
     [("科技园中区科苑路", "Keyuan Road"), ("深南大道", "Shennan Avenue"), ("高新南一道", "Gaoxin South 1st Road")]),
    ("杭州", "Hangzhou", "330106", [("西湖", "Xihu"), ("滨江", "Binjiang"), ("余杭", "Yuhang")],
     [("文三路", "Wensan Road"), ("江南大道", "Jiangnan Avenue"), ("文一西路", "Wenyi West Road")]),
    ("广州", "Guangzhou", "440106", [("天河", "Tianhe"), ("黄埔", "Huangpu"), ("番禺", "Panyu")],
     [("天河北路", "Tianhe North Road"), ("科学大道", "Kexue Avenue"), ("中山大道", "Zhongshan Avenue")]),
    ("成都", "Chengdu", "510107", [("武侯", "Wuhou"), ("高新", "Gaoxin"), ("锦江", "Jinjiang")],
     [("天府大道", "Tianfu Avenue"), ("府城大道", "Fucheng Avenue"), ("人民南路", "Renmin South Road")]),
    ("南京", "Nanjing", "320114", [("雨花台", "Yuhuatai"), ("建邺", "Jianye"), ("鼓楼", "Gulou")],
     [("软件大道", "Software Avenue"), ("江东中路", "Jiangdong Middle Road"), ("中山北路", "Zhongshan North Road")]),
    ("武汉", "Wuhan", "420111", [("洪山", "Hongshan"), ("江汉", "Jianghan")],
     [("光谷大道", "Guanggu Avenue"), ("关山大道", "Guanshan Avenue")]),
    ("济南", "Jinan", "370112", [("历下", "Lixia"), ("历城", "Licheng")],
     [("经十路", "Jingshi Road"), ("舜华路", "Shunhua Road")]),
    ("西安", "Xi'an", "610131", [("雁塔", "Yanta"), ("未央", "Weiyang")],
     [("科技路", "Keji Road"), ("锦业路", "Jinye Road")]),
]
CORES = [("星河", "Xinghe"), ("华信", "Huaxin"), ("云帆", "Yunfan"), ("中科", "Zhongke"), ("博远", "Boyuan"),
         ("天融", "Tianrong"), ("汇智", "Huizhi"), ("联创", "Lianchuang"), ("智联", "Zhilian"), ("恒泰", "Hengtai"),
         ("东方", "Dongfang"), ("新元", "Xinyuan"), ("启明", "Qiming"), ("长城", "Changcheng"), ("安信", "Anxin"),
         ("蓝海", "Lanhai"), ("正元", "Zhengyuan"), ("鼎信", "Dingxin"), ("万达", "Wanda"), ("宏图", "Hongtu")]
INDUSTRIES = [("数据科技", "Data Technology"), ("信息技术", "Information Technology"), ("网络科技", "Network Technology"),
              ("软件", "Software"), ("计算机系统", "Computer System"), ("数字科技", "Digital Technology"),
              ("智能科技", "Intelligent Technology"), ("信息系统", "Information System"), ("云计算", "Cloud Computing")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蔡蒋"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "建华", "志强", "晓东", "海燕", "红梅", "鹏飞", "宇航", "浩然", "子涵", "俊杰", "雪",
         "文博", "思远", "国强", "立新", "佳怡"]

PROCESSES = [("事件管理", "incident management"), ("变更管理", "change management"),
             ("配置管理", "configuration management"), ("服务级别管理", "service level management"),
             ("云服务管理", "cloud service management"), ("问题管理", "problem management"),
             ("发布与部署管理", "release and deployment management"), ("容量管理", "capacity management")]
AS_OF = dt.date(2025, 11, 15)  # surveillance audits after this date are not yet recorded
PROC_CANON = {p[0]: p[0] for p in PROCESSES}
SERVICES = [("信息系统运维服务", "information system operation and maintenance services"),
            ("数据中心运维服务", "data centre operation and maintenance services"),
            ("云平台运维服务", "cloud platform operation and maintenance services"),
            ("软件开发及运维服务", "software development and maintenance services"),
            ("信息系统集成及运维服务", "information system integration and maintenance services"),
            ("IT基础设施运维服务", "IT infrastructure operation and maintenance services"),
            ("网络安全运营服务", "network security operation services")]
MODULES = ["组织环境", "服务组合管理", "数字化运维看板", "知识管理"]

STD = {  # normalised -> (zh iso name, en iso name, printed variants, issue-date range)
    "ISO/IEC 20000-1:2018": ("信息技术服务", "Information Technology Service",
                             ["ISO/IEC 20000-1:2018", "ISO/IEC 20000-1:2018", "GB/T 24405.1-2019/ISO/IEC 20000-1:2018",
                              "ISO/IEC20000-1:2018", "GB/T 24405.1-2019 / ISO/IEC 20000-1:2018"], (2021, 2025)),
    "ISO/IEC 20000-1:2011": ("信息技术服务", "Information Technology Service",
                             ["ISO/IEC 20000-1:2011", "ISO/IEC 20000-1：2011"], (2016, 2019)),
    "ISO/IEC 27001:2022": ("信息安全", "Information Security",
                           ["ISO/IEC 27001:2022", "ISO/IEC 27001:2022", "GB/T 22080-2025/ISO/IEC 27001:2022",
                            "ISO/IEC27001:2022"], (2023, 2025)),
    "ISO/IEC 27001:2013": ("信息安全", "Information Security",
                           ["ISO/IEC 27001:2013", "GB/T 22080-2016/ISO/IEC 27001:2013", "ISO/IEC 27001：2013"],
                           (2019, 2022)),
}

CN_DIG = "〇一二三四五六七八九"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def cn_num(n: int) -> str:
    if n < 10:
        return CN_DIG[n]
    t, u = divmod(n, 10)
    return ("" if t == 1 else CN_DIG[t]) + "十" + ("" if u == 0 else CN_DIG[u])


def fmt_date(d: dt.date, style: str) -> str:
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "cn0":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "iso":
        return d.isoformat()
    if style == "dot":
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == "slash":
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == "cnnum":
        return "".join(CN_DIG[int(x)] for x in str(d.year)) + f"年{cn_num(d.month)}月{cn_num(d.day)}日"
    if style == "en_mdy":
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == "en_dmy":
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == "en_dmy_abbr":
        return f"{d.day:02d} {MONTHS[d.month - 1][:3]}. {d.year}"
    if style == "roc":
        return f"中華民國{d.year - 1911}年{d.month}月{d.day}日"
    raise ValueError(style)


ZH_DATE_STYLES = ["cn", "cn", "cn0", "iso", "dot", "slash", "cnnum"]
EN_DATE_STYLES = ["en_mdy", "en_dmy", "iso", "en_dmy_abbr", "slash"]


def add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return d.replace(year=d.year + n, day=28)


def rand_date(rng, y0, y1):
    a = dt.date(y0, 1, 1).toordinal()
    b = dt.date(y1, 12, 28).toordinal()
    return dt.date.fromordinal(rng.randint(a, b))


def person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def join_zh(items):
    if len(items) == 1:
        return items[0]
    return "、".join(items[:-1]) + "和" + items[-1]


def join_en(items):
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def make_org(rng, region="cn"):
    core, core_en = rng.choice(CORES)
    ind, ind_en = rng.choice(INDUSTRIES)
    if region == "tw":
        city = rng.choice([("台北市", "Taipei City", [("內湖區", "Neihu Dist."), ("信義區", "Xinyi Dist."), ("松山區", "Songshan Dist.")],
                            [("瑞光路", "Ruiguang Rd."), ("基隆路一段", "Sec. 1, Keelung Rd."), ("敦化北路", "Dunhua N. Rd.")]),
                           ("新竹市", "Hsinchu City", [("東區", "East Dist.")], [("科學園區力行路", "Lixing Rd.")]),
                           ("台中市", "Taichung City", [("西屯區", "Xitun Dist.")], [("台灣大道三段", "Sec. 3, Taiwan Blvd.")])])
        suffix = rng.choice(["股份有限公司", "有限公司"])
        name = s2t(core, tw=True) + rng.choice(["資訊", "數位科技", "系統整合", "雲端科技"]) + suffix
        dist = rng.choice(city[2])
        road = rng.choice(city[3])
        n, f = rng.randint(1, 399), rng.randint(2, 18)
        addr = f"{city[0]}{dist[0]}{road[0]}{n}號{f}樓"
        addr_en = f"{f}F., No. {n}, {road[1]}, {dist[1]}, {city[1]}, Taiwan"
        name_en = f"{core_en} Information {'Co., Ltd.' if suffix == '有限公司' else 'Corporation'}"
        return {"region": "tw", "name": name, "name_en": name_en, "uscc": None,
                "tw_id": "".join(rng.choice("0123456789") for _ in range(8)), "addr": addr, "addr_en": addr_en,
                "legal": s2t(person(rng))}
    if region == "hk":
        name = "香港" + s2t(core) + rng.choice(["數碼科技", "資訊科技", "網絡科技", "系統"]) + "有限公司"
        n, f = rng.randint(1, 300), rng.randint(3, 30)
        street, street_en = rng.choice([("九龍觀塘道", "Kwun Tong Road, Kowloon"), ("灣仔港灣道", "Harbour Road, Wan Chai"),
                                        ("沙田科學園科技大道西", "Science Park West Ave, Sha Tin")])
        addr = f"香港{street}{n}號{rng.choice(['創紀之城', '中環廣場', '海濱大廈', '科技中心'])}{f}樓"
        return {"region": "hk", "name": name, "name_en": f"Hong Kong {core_en} Digital Technology Limited",
                "uscc": None, "addr": addr, "addr_en": f"{f}/F, No. {n} {street_en}, Hong Kong", "legal": s2t(person(rng))}
    city = rng.choice(CITIES)
    r = rng.random()
    if r < 0.25:
        suffix, suffix_en = "（集团）有限公司", "(Group) Co., Ltd."
    elif r < 0.55:
        suffix, suffix_en = "股份有限公司", "Co., Ltd."
    elif r < 0.62:
        suffix, suffix_en = "有限责任公司", "Co., Ltd."
    else:
        suffix, suffix_en = "有限公司", "Co., Ltd."
    name = city[0] + core + ind + suffix
    name_en = f"{city[1]} {core_en} {ind_en} {suffix_en}"
    dist = rng.choice(city[3])
    road = rng.choice(city[4])
    n = rng.randint(1, 999)
    b = rng.choice(["", f"{rng.randint(1, 12)}号楼", f"{rng.choice('ABCDE')}座"])
    f = rng.randint(2, 25)
    room = rng.choice(["", f"{f}{rng.randint(1, 30):02d}室", f"{f}层"])
    addr = f"{city[0]}市{dist[0]}区{road[0]}{n}号{b}{room}"
    parts = []
    if room:
        parts.append(f"Room {room[:-1]}" if room.endswith("室") else f"Floor {f}")
    if b:
        parts.append(f"Building {b[:-2]}" if b.endswith("号楼") else f"Block {b[0]}")
    parts.append(f"No. {n} {road[1]}")
    parts.append(f"{dist[1]} District")
    parts.append(city[1])
    return {"region": "cn", "name": name, "name_en": name_en, "uscc": make_uscc(rng, city[2]),
            "addr": addr, "addr_en": ", ".join(parts) + ", China", "legal": person(rng),
            "city": city[0]}


def make_certno(rng, body_code, std, year, style):
    if style == "seed":
        scheme = "IT" if "20000" in std else rng.choice(["IS", "SM"])
        serial = "".join(rng.choice("0123456789") for _ in range(5))
        body6 = "CN0" + body_code
        num = f"{body6}{year}{scheme}{serial}"
        assert len(num) == 17
        return num, body6
    scheme = rng.choice(["IT", "ITS", "IT"]) if "20000" in std else rng.choice(["I", "ISMS", "IS"])
    serial = str(rng.randint(1000, 99999)).zfill(rng.choice([4, 5]))
    num = f"{body_code}{year % 100:02d}{scheme}{serial}R{rng.choice([0, 1, 1, 2, 3])}{rng.choice('SML')}"
    if rng.random() < 0.15:
        num += f"/{rng.randint(1, 9999):04d}"
    elif rng.random() < 0.08:
        num += f"-{rng.randint(1, 3)}"
    return num, body_code


def make_cert(rng, std=None, org=None, region="cn", numstyle=None, lang="zh", body=None):
    """All the values of one certificate plus what gets printed."""
    std = std or rng.choice(["ISO/IEC 20000-1:2018"] * 5 + ["ISO/IEC 27001:2022"] * 3 +
                            ["ISO/IEC 27001:2013", "ISO/IEC 20000-1:2011"])
    zh_iso, en_iso, printed_variants, (y0, y1) = STD[std]
    org = org or make_org(rng, region)
    body = body or rng.choice(BODIES)
    issue = rand_date(rng, y0, y1)
    numstyle = numstyle or rng.choice(["real", "real", "seed"])
    certno, body_field = make_certno(rng, body["code"], std, issue.year, numstyle)
    if "20000" in std:
        k = rng.randint(2, 5)
        procs = rng.sample(PROCESSES, k)
        procs.sort(key=lambda p: PROCESSES.index(p))
        svc = rng.choice(SERVICES)
        form = rng.randint(0, 3 if org.get("city") else 2)
        pz, pe = [p[0] for p in procs], [p[1] for p in procs]
        if form == 0:
            scope = f"向外部客户提供{svc[0]}所涉及的{join_zh(pz)}"
        elif form == 1:
            scope = f"为内部及外部客户提供的{svc[0]}，涉及{'、'.join(pz)}"
        elif form == 2:
            scope = f"{svc[0]}（{'、'.join(pz)}）"
        else:
            scope = f"位于{org.get('city', '')}的{svc[0]}的信息技术服务管理活动，包括{join_zh(pz)}"
        scope_en = (f"{join_en(pe).capitalize()} involved in providing {svc[1]} to external customers")
        proc_canon = pz
    else:
        svc = rng.choice(SERVICES)
        soa = f"V{rng.randint(1, 3)}.{rng.randint(0, 9)}"
        scope = rng.choice([f"与{svc[0]}相关的信息安全管理活动（适用性声明版本：{soa}）",
                            f"{svc[0]}所涉及的信息安全管理",
                            f"与{svc[0]}相关的信息安全管理活动"])
        scope_en = f"Information security management activities related to {svc[1]}"
        proc_canon = ["信息安全管理"]
    decision = issue - dt.timedelta(days=rng.choice([0, 0, 0, 1, 3, 7, 14]))
    expiry = add_years(issue, 3) - dt.timedelta(days=1)
    initial = add_years(issue, -rng.choice([3, 6, 9])) - dt.timedelta(days=rng.randint(0, 40))
    s1 = add_years(decision, 1) - dt.timedelta(days=rng.randint(5, 60))
    s2 = add_years(decision, 2) - dt.timedelta(days=rng.randint(5, 60))
    modules = []
    if std == "ISO/IEC 20000-1:2018" and rng.random() < 0.45:
        modules = [m for m in MODULES if rng.random() < 0.7] or MODULES[:2]
    transition = False
    transition_text = transition_en = None
    if std == "ISO/IEC 27001:2013" and rng.random() < 0.6:
        transition, transition_text = True, "本证书须于2025年10月31日前完成向ISO/IEC 27001:2022的标准转换"
        transition_en = "The transition to ISO/IEC 27001:2022 shall be completed before 31 October 2025."
    elif std == "ISO/IEC 20000-1:2018" and rng.random() < 0.3:
        transition, transition_text = True, "本证书须于2025年12月31日前完成标准转换"
        transition_en = "This certificate shall complete the standard transition before December 31, 2025."
    elif std == "ISO/IEC 20000-1:2011" and rng.random() < 0.6:
        transition, transition_text = True, "本证书须于2021年9月30日前完成向ISO/IEC 20000-1:2018的标准转换"
        transition_en = "The transition to ISO/IEC 20000-1:2018 shall be completed before 30 September 2021."
    surv = rng.random()
    c = {
        "std": std, "zh_iso": zh_iso, "en_iso": en_iso,
        "std_printed": rng.choice(printed_variants),
        "org": org, "body": body, "certno": certno, "body_field": body_field, "numstyle": numstyle,
        "cnas": body["cnas"] or f"CNAS C{body['code']}-M",
        "scope": scope, "scope_en": scope_en, "procs": proc_canon,
        "issue": issue, "decision": decision, "expiry": expiry, "initial": initial,
        "surv_dates": [s1, s2],
        "modules": modules, "transition": transition, "transition_text": transition_text, "transition_en": transition_en,
        "auditor": person(rng),
        "auditor_no": f"{rng.randint(2012, issue.year)}-N1{'ITSMS' if '20000' in std else 'ISMS'}-{rng.randint(1000000, 1299999)}",
        # print flags
        "p_uscc": org.get("uscc") is not None and rng.random() < 0.85,
        "p_addr": rng.random() < 0.85,
        "p_prod_addr": rng.random() < 0.3,
        "p_cnca": rng.random() < 0.7,
        "p_cnas": rng.random() < 0.75,
        "p_iaf": rng.random() < 0.55,
        "p_auditor": rng.random() < 0.4,
        "p_decision": rng.random() < 0.35,
        "p_initial": rng.random() < 0.35,
        "p_surv": "full" if surv < 0.15 else "empty" if surv < 0.25 else None,
        "p_qr": rng.random() < 0.6,
        "p_seal": rng.random() < 0.9,
        "date_style": rng.choice(ZH_DATE_STYLES),
        "date_style_en": rng.choice(EN_DATE_STYLES),
    }
    return c


# --------------------------------------------------------------------------------------
# page model: ops in mm (origin top-left, y = text baseline)
# --------------------------------------------------------------------------------------
_FONT_CACHE = {}


def pil_font(path, px):
    key = (path, px)
    f = _FONT_CACHE.get(key)
    if f is None:
        f = ImageFont.truetype(path, px, index=0)
        _FONT_CACHE[key] = f
    return f


def measure(s, size_pt, font_path):
    return pil_font(font_path, 100).getlength(s) / 100.0 * size_pt / MM_PT


CJK_PUNCT = set("，、。；：）》」』！？,.;:)")


def tokens(s):
    out, buf = [], ""
    for ch in s:
        if ch.isascii() and not ch.isspace():
            buf += ch
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(ch)
    if buf:
        out.append(buf)
    return out


def wrap(s, size, width, fp):
    lines, cur = [], ""
    for t in tokens(s):
        if t in CJK_PUNCT or not cur.strip() or measure(cur + t, size, fp) <= width:
            cur += t
        else:
            lines.append(cur.rstrip())
            cur = "" if t == " " else t
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


class Page:
    def __init__(self, font_path, bg=(255, 255, 255), ink=INK):
        self.ops = []
        self.fp = font_path
        self.bg = bg
        self.ink = ink

    def text(self, x, y, s, size, align="l", bold=False, color=None, maxw=None):
        if not s:
            return
        # never run off the page: shrink the font to the available width
        if maxw is None:
            maxw = {"l": A4_W - 14 - x, "c": 2 * min(x, A4_W - x) - 26, "r": x - 14}[align]
        w = measure(s, size, self.fp)
        if w > maxw > 10:
            size = size * maxw / w * 0.98
        if s:
            self.ops.append(("text", x, y, s, size, align, bold, color or self.ink))

    def para(self, x, y, s, size, width, align="l", leading=1.45, bold=False, color=None, indent=0.0):
        lines = wrap(s, size, width, self.fp)
        lh = size / MM_PT * leading
        for i, ln in enumerate(lines):
            xx = x
            if align == "c":
                xx = x + width / 2
            elif align == "r":
                xx = x + width
            elif i == 0:
                xx = x + indent
            self.text(xx, y, ln, size, align, bold, color)
            y += lh
        return y

    def line(self, x1, y1, x2, y2, w=0.3, color=None):
        self.ops.append(("line", x1, y1, x2, y2, w, color or self.ink))

    def rect(self, x, y, w, h, lw=0.3, color=None, fill=None):
        self.ops.append(("rect", x, y, w, h, lw, color or self.ink, fill))

    def poly(self, pts, lw=0.3, color=None):
        self.ops.append(("poly", pts, lw, color or self.ink))

    def seal(self, cx, cy, r, name, sub="认证专用章", alpha=0.72):
        self.ops.append(("seal", cx, cy, r, name, sub, alpha))

    def qr(self, x, y, size, rng):
        n = rng.choice([21, 25, 29])
        m = [[rng.random() < 0.5 for _ in range(n)] for _ in range(n)]
        for ox, oy in [(0, 0), (n - 7, 0), (0, n - 7)]:
            for i in range(7):
                for j in range(7):
                    ring = max(abs(i - 3), abs(j - 3))
                    m[oy + i][ox + j] = ring != 2
            for i in range(-1, 8):
                for j in range(-1, 8):
                    if 0 <= oy + i < n and 0 <= ox + j < n and (i in (-1, 7) or j in (-1, 7)):
                        m[oy + i][ox + j] = False
        self.ops.append(("qr", x, y, size, m))

    def mark(self, x, y, w, h, big, small, color=None):
        color = color or self.ink
        self.rect(x, y, w, h, 0.5, color)
        self.text(x + w / 2, y + h * 0.55, big, h * 1.1, "c", True, color)
        if small:
            self.text(x + w / 2, y + h * 0.85, small, h * 0.45, "c", False, color)


def border(p: Page, rng, style=None):
    style = style if style is not None else rng.randint(0, 3)
    col = rng.choice([GOLD, INK_BLUE, (120, 30, 30), (40, 90, 60)])
    if style == 0:
        p.rect(8, 8, A4_W - 16, A4_H - 16, 1.6, col)
        p.rect(11, 11, A4_W - 22, A4_H - 22, 0.4, col)
    elif style == 1:  # wavy guilloche frame
        for off, amp in [(9, 1.2), (11.5, 1.0)]:
            for side in range(4):
                pts = []
                L = (A4_W if side in (0, 2) else A4_H) - 2 * off
                steps = int(L / 1.5)
                for k in range(steps + 1):
                    t = k * L / steps
                    w = amp * math.sin(t / 2.2)
                    if side == 0:
                        pts.append((off + t, off + w))
                    elif side == 1:
                        pts.append((A4_W - off + w, off + t))
                    elif side == 2:
                        pts.append((off + t, A4_H - off + w))
                    else:
                        pts.append((off + w, off + t))
                p.poly(pts, 0.35, col)
    elif style == 2:
        p.rect(10, 10, A4_W - 20, A4_H - 20, 0.8, col)
        for (x, y) in [(10, 10), (A4_W - 10, 10), (10, A4_H - 10), (A4_W - 10, A4_H - 10)]:
            sx = 1 if x < A4_W / 2 else -1
            sy = 1 if y < A4_H / 2 else -1
            for k in range(3):
                d = 4 + 3 * k
                p.line(x, y + sy * d, x + sx * d, y, 0.5, col)
    # style 3: no border
    return col


def body_header(p: Page, c, rng, y=24, name=None):
    name = name or c["body"]["name"]
    if not c.get("p_body", True):  # spec mode: body name not printed
        name = ""
    # logo: circle with initials
    if rng.random() < 0.6:
        logo = ("logo", 24, y - 4, 7, rng.choice([INK_BLUE, RED, (30, 110, 60)]))
        if c.get("p_logo", True):
            p.ops.append(logo)
        p.text(34, y, name, 12, "l", True)
    else:
        p.text(A4_W / 2, y, name, 13, "c", True)


def fmt(c, d, en=False):
    return fmt_date(d, c["date_style_en"] if en else c["date_style"])


def marks_block(p: Page, c, x, y, tw=False):
    """CNAS / IAF marks (or TAF for Taiwan). returns flags actually printed"""
    printed_cnas = printed_iaf = False
    if tw:
        if c["p_cnas"]:
            p.mark(x, y, 22, 11, "TAF", "認證 ACCREDITATION")
            p.text(x + 11, y + 15, "Accreditation No. " + c["tw_taf"], 6.5, "c")
            x += 28
    elif c["p_cnas"]:
        p.mark(x, y, 24, 11, "CNAS", "中国认可 管理体系")
        p.text(x + 12, y + 15.5, c["cnas"], 8, "c")
        printed_cnas = True
        x += 30
    if c["p_iaf"]:
        p.mark(x, y, 20, 11, "IAF", "MLA")
        printed_iaf = True
    return printed_cnas, printed_iaf


def seal_and_body(p, c, rng, x_center, y_top, tw=False, body_name=None, date_overlap=None, sub="认证专用章"):
    """Body name + CNCA approval number + round seal near (x_center, y_top)."""
    name = body_name or c["body"]["name"]
    if c.get("p_body", True):
        p.text(x_center, y_top, name, 11.5, "c", True)
    yy = y_top + 6
    if c["p_cnca"] and not tw:
        lab = rng.choice(["批准号：", "批准号: ", "认证机构批准号：", "CNCA批准号："])
        p.text(x_center, yy, lab + c["body"]["cnca"], 9, "c")
        yy += 5.5
    if c["p_seal"]:
        cy = y_top - rng.uniform(2, 10) if date_overlap is None else date_overlap
        p.seal(x_center + rng.uniform(-14, 14), cy, rng.uniform(17, 21), name, sub=sub)
    return yy


def surveillance_table(p: Page, c, x, y, w, trad=False, en=True, rows=2):
    rows = max(rows, len(c["surv_dates"])) if c.get("surv_limit") else rows
    head = "年度监督审核记录" if not trad else "年度監督審核記錄"
    if en:
        head += " Surveillance Audit Record"
    p.text(x, y, head, 10.5, "l", True)
    y += 3
    cols = [0.28, 0.36, 0.36]
    labs = ["审核次数", "审核日期", "审核结论"] if not trad else ["審核次數", "審核日期", "審核結論"]
    rh = 7.5
    p.rect(x, y, w, rh * (rows + 1), 0.4)
    cx = x
    for k, cw in enumerate(cols):
        p.text(cx + 2, y + 5.2, labs[k], 9)
        cx += cw * w
        if k < len(cols) - 1:
            p.line(cx, y, cx, y + rh * (rows + 1), 0.4)
    dates = []
    limit = c.get("surv_limit", AS_OF)
    for r in range(rows):
        yy = y + rh * (r + 1)
        p.line(x, yy, x + w, yy, 0.4)
        nth = "第" + cn_num(r + 1) + "次"
        p.text(x + 2, yy + 5.2, (nth + "监督") if not trad else (nth + "監督"), 9)
        if c["p_surv"] == "full" and r < len(c["surv_dates"]) and c["surv_dates"][r] <= limit:
            d = c["surv_dates"][r]
            dates.append(d)
            p.text(x + cols[0] * w + 2, yy + 5.2, fmt(c, d), 9)
            p.text(x + (cols[0] + cols[1]) * w + 2, yy + 5.2, "保持认证注册" if not trad else "保持認證註冊", 9)
    return y + rh * (rows + 1) + 4, dates


SURV_CLAUSE = ("在证书有效期内获证组织按规定接受年度监督，本证书与(保持注册通知书)一并使用方可有效,"
               "本证书有效状态在本机构网站（www.{site}.com）或国家认证认可监督管理委员会官方网站（www.cnca.gov.cn）上查询.")
EN_CLAUSE = ("Only when used concurrently with the notice of Annual confirmation, can certificate be valid. "
             "The validity of this certificate can be checked on www.cnca.gov.cn.")


def shown(c, what):
    """spec mode may switch off elements every layout prints (p_org, p_certno, ...)"""
    return c.get("p_" + what, True)


def auditor_line(c, sep_no):
    """'name<sep_no>number' with the parts that are printed"""
    parts = []
    if c.get("auditor"):
        parts.append(c["auditor"])
    if c.get("auditor_no"):
        parts.append(sep_no + c["auditor_no"])
    return "".join(parts).strip()


def site_of(c):
    return "cert" + c["body"]["code"]


def truth_fields(c, org_name, address, scope, body_name, std_printed=None, surv=(False, []), cnas=None,
                 iaf=None, modules=None, cnca=...):
    return {
        "certificate_number": c["certno"],
        "body_code": c["body_field"],
        "organization_name": org_name,
        "unified_social_credit_code": c["org"]["uscc"] if c["p_uscc"] else None,
        "address": address,
        "standard": c["std"],
        "standard_printed": std_printed or c["std_printed"],
        "supplementary_modules": list(c["modules"]) if modules is None else modules,
        "scope": scope,
        "scope_processes": list(c["procs"]),
        "certification_body_name": body_name,
        # cnca: ... = as the certificate's draw says; None = not printed on this layout
        "cnca_approval_number": (c["body"]["cnca"] if c["p_cnca"] else None) if cnca is ... else cnca,
        "cnas_code": c["cnas"] if (c["p_cnas"] if cnas is None else cnas) else None,
        "cnas_mark": bool(c["p_cnas"] if cnas is None else cnas),
        "iaf_mark": bool(c["p_iaf"] if iaf is None else iaf),
        "auditor_name": c["auditor"] if c["p_auditor"] else None,
        "auditor_qualification_number": c["auditor_no"] if c["p_auditor"] else None,
        "initial_issue_date": c["initial"].isoformat() if c["p_initial"] else None,
        "decision_date": c["decision"].isoformat() if c["p_decision"] else None,
        "issue_date": c["issue"].isoformat(),
        "expiry_date": c["expiry"].isoformat(),
        "surveillance_section": bool(surv[0]),
        "surveillance_audits": [d.isoformat() for d in surv[1]],
        "transition_notice": bool(c["transition"]),
    }


# --------------------------------------------------------------------------------------
# layouts: each returns (pages, fields)
# --------------------------------------------------------------------------------------
def title_zh(c, rng):
    return rng.choice([f"{c['zh_iso']}管理体系认证证书", f"{c['zh_iso']}管理体系认证证书", "管理体系认证证书",
                       f"{c['zh_iso']}管理体系\n认证证书"])


def layout_table(c, rng, fp, allow_surv=True):
    p = Page(fp, ink=rng.choice([INK, INK, INK_BLUE]))
    border(p, rng)
    body_header(p, c, rng, 26)
    t = title_zh(c, rng).replace("\n", "")
    p.text(A4_W / 2, 44, t, rng.choice([20, 22, 24]), "c", True)
    p.text(A4_W / 2, 52, f"CERTIFICATE OF {c['en_iso'].upper()} MANAGEMENT SYSTEM", 9.5, "c")
    lab_no = rng.choice(["证书编号", "证书号", "注册号", "证书编号"])
    x0, x1, x2 = 22, 62, A4_W - 22
    y = 62
    rows = [(lab_no, c["certno"]) if shown(c, "certno") else None,
            ("组织名称", c["org"]["name"]) if shown(c, "org") else None]
    if c["p_uscc"]:
        rows.append((rng.choice(["统一社会信用代码", "统一社会信用代码", "组织机构代码"]), c["org"]["uscc"]))
    if c["p_addr"]:
        rows.append((rng.choice(["注册地址", "地址", "注册/经营地址"]), c["org"]["addr"]))
    lab = rng.choice(["认证标准", "认证依据", "审核依据"])
    rows.append((lab, c["std_printed"]) if shown(c, "std") else None)
    if c["modules"]:
        rows.append(("补充模块", "、".join(c["modules"])))
    lab = rng.choice(["认证范围", "认证覆盖范围", "覆盖范围"])
    rows.append((lab, c["scope"]) if shown(c, "scope") else None)
    if c["p_initial"]:
        rows.append(("初次发证日期", fmt(c, c["initial"])))
    if c["p_decision"]:
        rows.append(("认证决定日期", fmt(c, c["decision"])))
    lab = rng.choice(["发证日期", "颁证日期", "本次发证日期"])
    rows.append((lab, fmt(c, c["issue"])) if shown(c, "issue") else None)
    lab = rng.choice(["有效期至", "证书有效期至", "有效期"])
    rows.append((lab, fmt(c, c["expiry"])) if shown(c, "expiry") else None)
    if c["p_auditor"]:
        rows.append(("审核组长", auditor_line(c, "    资格编号：")))
    rows = [r for r in rows if r]
    size = 11
    lh = size / MM_PT * 1.5
    ytop = y
    for lab, val in rows:
        lines = wrap(val, size, x2 - x1 - 4, fp)
        h = max(1, len(lines)) * lh + 3.5
        p.text(x0 + 2, y + 5.8, lab, size, "l", True)
        yy = y + 5.8
        for ln in lines:
            p.text(x1 + 2.5, yy, ln, size)
            yy += lh
        y += h
        p.line(x0, y, x2, y, 0.35)
    p.rect(x0, ytop, x2 - x0, y - ytop, 0.7)
    p.line(x1, ytop, x1, y, 0.35)
    y += 7
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, x0, y + 2, x2 - x0, en=rng.random() < 0.5)
        surv = (True, dates)
    if c["transition"]:
        p.text(x0, y + 2, c["transition_text"], 9.5, "l", False, RED)
        y += 7
    if shown(c, "clause"):
        y = p.para(x0, y + 2, SURV_CLAUSE.format(site=site_of(c)), 8.5, x2 - x0)
    ybot = max(y + 12, 236)
    cn, iaf = marks_block(p, c, x0, ybot)
    if c["p_qr"]:
        p.qr(x0 + 62, ybot - 2, 20, rng)
    seal_and_body(p, c, rng, 150, ybot + 6)
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] else None, c["scope"],
                          c["body"]["name"], surv=surv, cnas=cn, iaf=iaf)
    return [p], fields


def layout_centred(c, rng, fp, allow_surv=True):
    p = Page(fp, ink=rng.choice([INK, INK_BROWN]))
    col = border(p, rng)
    body_header(p, c, rng, 27)
    t = title_zh(c, rng)
    y = 46
    for part in t.split("\n"):
        p.text(A4_W / 2, y, part, 24 if "\n" in t else rng.choice([22, 24]), "c", True, col if rng.random() < 0.3 else None)
        y += 11
    lab = rng.choice(["证书号：", "证书编号：", "证书号:", "注册号："])
    if shown(c, "certno"):
        p.text(A4_W / 2, y + 2, lab + c["certno"], 11.5, "c")
    y += 16
    p.text(A4_W / 2, y, rng.choice(["兹证明", "兹 证 明", "兹证明："]), 13, "c")
    y += 12
    size = rng.choice([17, 18, 19])
    if shown(c, "org"):
        y = p.para(25, y, c["org"]["name"], size, A4_W - 50, "c", bold=True)
    y += 1
    if c["p_addr"]:
        y = p.para(25, y, "注册地址：" + c["org"]["addr"], 10.5, A4_W - 50, "c")
    if c["p_prod_addr"]:
        y = p.para(25, y, "生产地址：" + c["org"]["addr"], 10.5, A4_W - 50, "c")
    if c["p_uscc"]:
        y = p.para(25, y, rng.choice(["组织机构代码证(或统一信用代码) 证号：", "统一社会信用代码：", "统一社会信用代码："])
                   + c["org"]["uscc"], 10.5, A4_W - 50, "c")
    y += 5
    p.text(A4_W / 2, y, f"{c['zh_iso']}管理体系符合", 12, "c")
    y += 8
    if shown(c, "std"):
        p.text(A4_W / 2, y, c["std_printed"], 14, "c", True)
    y += 8
    if c["modules"]:
        y = p.para(25, y, rng.choice(["补充模块：", "及补充模块："]) + "、".join(c["modules"]), 10.5, A4_W - 50, "c")
    y += 4
    p.text(A4_W / 2, y, f"{c['zh_iso']}管理体系认证覆盖的范围", 12, "c")
    y += 8
    if shown(c, "scope"):
        y = p.para(28, y, c["scope"], 12, A4_W - 56, "c")
    y += 4
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, 30, y + 3, A4_W - 60, en=False)
        surv = (True, dates)
    if c["transition"]:
        p.text(A4_W / 2, y + 2, c["transition_text"], 9.5, "c", False, RED)
        y += 7
    if shown(c, "clause"):
        y = p.para(25, y + 2, SURV_CLAUSE.format(site=site_of(c)), 8.5, A4_W - 50, leading=1.4)
    y = max(y + 8, 222)
    dl = []
    if c["p_initial"]:
        dl.append(("初次发证日期：", c["initial"]))
    if c["p_decision"]:
        dl.append(("认证决定日期：", c["decision"]))
    lab = rng.choice(["发证日期：", "发证日期：", "颁证日期："])
    if shown(c, "issue"):
        dl.append((lab, c["issue"]))
    lab = rng.choice(["有 效 期：", "有效期至：", "有效期："])
    if shown(c, "expiry"):
        dl.append((lab, c["expiry"]))
    ydates = y
    for lab, d in dl:
        p.text(28, y, lab + fmt(c, d), 11)
        y += 7
    if c["p_auditor"]:
        p.text(28, y, "审核组长：" + auditor_line(c, "  资格编号："), 9.5)
        y += 7
    yb = max(y + 6, 262)
    cn, iaf = marks_block(p, c, 24, yb)
    if c["p_qr"]:
        p.qr(A4_W / 2 - 9, yb - 4, 18, rng)
    seal_and_body(p, c, rng, 150, yb + 4, date_overlap=ydates + 4 if rng.random() < 0.4 else None)
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] or c["p_prod_addr"] else None, c["scope"],
                          c["body"]["name"], surv=surv, cnas=cn, iaf=iaf)
    return [p], fields


def layout_english_first(c, rng, fp, allow_surv=True):
    p = Page(fp, ink=rng.choice([INK, INK_BLUE]))
    border(p, rng)
    body_header(p, c, rng, 26)
    p.text(A4_W / 2, 45, f"{c['en_iso']} Management System Certificate", rng.choice([17, 18]), "c", True)
    p.text(A4_W / 2, 53, f"{c['zh_iso']}管理体系认证证书", 12, "c")
    lab = rng.choice(["Certificate number: ", "Certificate No.: ", "Registration No.: ", "Certificate number:"])
    p.text(A4_W / 2, 63, lab + c["certno"], 11.5, "c")
    y = 77
    p.text(A4_W / 2, y, "This is to certify that the", 12, "c")
    y += 11
    y = p.para(22, y, c["org"]["name_en"], 15, A4_W - 44, "c", bold=True)
    y = p.para(22, y, c["org"]["name"], 13, A4_W - 44, "c", bold=True)
    y += 2
    if c["p_addr"]:
        y = p.para(22, y, "Registration address: " + c["org"]["addr_en"], 10, A4_W - 44, "c")
        y = p.para(22, y, c["org"]["addr"], 10, A4_W - 44, "c")
    if c["p_uscc"]:
        y = p.para(22, y, rng.choice(["Organization Code Certificate/Credit Unicode Number: ",
                                      "Unified Social Credit Code: "]) + c["org"]["uscc"], 10, A4_W - 44, "c")
    y += 5
    p.text(A4_W / 2, y, "Which is in conformity with", 11.5, "c")
    y += 8
    p.text(A4_W / 2, y, c["std_printed"], 14, "c", True)
    y += 8
    mods = []
    if c["modules"] and rng.random() < 0.5:
        y = p.para(22, y, "Supplementary modules 补充模块：" + "、".join(c["modules"]), 10, A4_W - 44, "c")
        mods = list(c["modules"])
    y += 4
    p.text(A4_W / 2, y, f"This certificate covers the following scope of {c['en_iso'].lower()} management system", 10.5, "c")
    y += 8
    y = p.para(25, y, c["scope_en"], 11.5, A4_W - 50, "c")
    y += 4
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, 30, y + 3, A4_W - 60, en=True)
        surv = (True, dates)
    if c["transition"]:
        p.text(A4_W / 2, y + 2, c["transition_en"] if rng.random() < 0.6 else c["transition_text"], 9, "c", False, RED)
        y += 7
    y = p.para(25, y + 2, EN_CLAUSE, 8.5, A4_W - 50)
    y = max(y + 8, 226)
    if c["p_initial"]:
        p.text(28, y, "Initial Issue Date: " + fmt(c, c["initial"], True), 10.5)
        y += 6.5
    if c["p_decision"]:
        p.text(28, y, "Certification Decision Date: " + fmt(c, c["decision"], True), 10.5)
        y += 6.5
    p.text(28, y, rng.choice(["Issue Date: ", "Date of Issue: "]) + fmt(c, c["issue"], True), 10.5)
    y += 6.5
    p.text(28, y, rng.choice(["Validity: ", "Valid until: ", "Expiry Date: "]) + fmt(c, c["expiry"], True), 10.5)
    y += 6.5
    if c["p_auditor"]:
        p.text(28, y, f"Lead Auditor 审核组长: {c['auditor']}   Qualification No.: {c['auditor_no']}", 9)
        y += 6.5
    yb = max(y + 6, 262)
    cn, iaf = marks_block(p, c, 24, yb)
    if c["p_qr"]:
        p.qr(A4_W / 2 - 9, yb - 4, 18, rng)
    seal_and_body(p, c, rng, 152, yb + 4)
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] else None, c["scope_en"],
                          c["body"]["name"], surv=surv, cnas=cn, iaf=iaf, modules=mods)
    return [p], fields


def layout_bilingual(c, rng, fp, allow_surv=True):
    p = Page(fp, ink=rng.choice([INK, INK_BLUE, INK_BROWN]))
    border(p, rng)
    body_header(p, c, rng, 25)
    p.text(A4_W / 2, 43, f"{c['zh_iso']}管理体系认证证书", 20, "c", True)
    p.text(A4_W / 2, 51, f"{c['en_iso']} Management System Certificate", 12, "c")
    x0, xv = 22, 82
    wv = A4_W - 22 - xv
    y = 66
    nol = rng.choice([("证书编号", "Certificate No."), ("注册号", "Registration No."), ("证书号", "Certificate number")])
    rows = [(nol, c["certno"]) if shown(c, "certno") else None,
            (("组织名称", "Organization"), c["org"]["name"] + "\n" + c["org"]["name_en"]) if shown(c, "org") else None]
    if c["p_uscc"]:
        rows.append((("统一社会信用代码", "USCC"), c["org"]["uscc"]))
    if c["p_addr"]:
        rows.append((("注册地址", "Address"), c["org"]["addr"] + "\n" + c["org"]["addr_en"]))
    rows.append((("认证依据", "Standard"), c["std_printed"]) if shown(c, "std") else None)
    if c["modules"]:
        rows.append((("补充模块", "Supplementary modules"), "、".join(c["modules"])))
    rows.append((("认证范围", "Scope"), c["scope"] + "\n" + c["scope_en"]) if shown(c, "scope") else None)
    if c["p_initial"]:
        rows.append((("初次发证日期", "Initial Issue Date"), fmt(c, c["initial"])))
    if c["p_decision"]:
        rows.append((("认证决定日期", "Decision Date"), fmt(c, c["decision"])))
    rows.append((("发证日期", "Issue Date"), fmt(c, c["issue"])) if shown(c, "issue") else None)
    rows.append((("有效期至", "Expiry Date"), fmt(c, c["expiry"])) if shown(c, "expiry") else None)
    if c["p_auditor"]:
        rows.append((("审核组长", "Lead Auditor"), auditor_line(c, "  资格编号 Qualification No.：")))
    rows = [r for r in rows if r]
    sep = rng.choice(["：", ":", " "])
    for (zl, el), val in rows:
        p.text(x0, y, f"{zl} {el}{sep}", 9.5, "l", True)
        yy = y
        for k, part in enumerate(val.split("\n")):
            yy = p.para(xv, yy, part, 10.5 if k == 0 else 9, wv, leading=1.4)
        y = max(yy, y + 6) + 3.5
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, x0, y + 3, A4_W - 44, en=True)
        surv = (True, dates)
    if c["transition"]:
        p.text(x0, y + 2, c["transition_text"], 9.5, "l", False, RED)
        y += 7
    if shown(c, "clause"):
        y = p.para(x0, y + 3, SURV_CLAUSE.format(site=site_of(c)), 8.5, A4_W - 44)
        y = p.para(x0, y, EN_CLAUSE, 8, A4_W - 44)
    yb = max(y + 14, 250)
    cn, iaf = marks_block(p, c, x0, yb)
    if c["p_qr"]:
        p.qr(x0 + 60, yb - 3, 19, rng)
    seal_and_body(p, c, rng, 152, yb + 3)
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] else None, c["scope"],
                          c["body"]["name"], surv=surv, cnas=cn, iaf=iaf)
    return [p], fields


def layout_traditional(c, rng, fp, allow_surv=True):
    tw = c["org"]["region"] == "tw"
    p = Page(fp, ink=rng.choice([INK, INK_BLUE]))
    border(p, rng)
    body_name = s2t(c["body"]["name"])
    body_header(p, c, rng, 25, name=body_name)
    iso = s2t(c["zh_iso"], tw=tw)
    title = f"{iso}管理系統驗證證書" if tw else f"{iso}管理體系認證證書"
    p.text(A4_W / 2, 45, title, 21, "c", True)
    p.text(A4_W / 2, 53, f"{c['en_iso']} Management System Certificate", 11, "c")
    lab_no = rng.choice(["證書編號：", "證書號碼：", "證書編號 Certificate No.："])
    p.text(A4_W / 2, 64, lab_no + c["certno"], 11.5, "c")
    y = 78
    p.text(A4_W / 2, y, rng.choice(["茲證明", "茲 證 明"]), 13, "c")
    y += 12
    y = p.para(25, y, c["org"]["name"], 18, A4_W - 50, "c", bold=True)
    if tw:
        p.text(A4_W / 2, y, "統一編號：" + c["org"]["tw_id"], 10.5, "c")
        y += 6
    if c["p_addr"]:
        y = p.para(25, y, ("地址：" if tw else "註冊地址：") + c["org"]["addr"], 10.5, A4_W - 50, "c")
    y += 5
    p.text(A4_W / 2, y, f"之{iso}管理系統符合" if tw else f"{iso}管理體系符合", 12, "c")
    y += 8
    p.text(A4_W / 2, y, c["std_printed"], 14, "c", True)
    y += 8
    if c["modules"]:
        y = p.para(25, y, "補充模組：" + "、".join(s2t(m) for m in c["modules"]), 10.5, A4_W - 50, "c")
    y += 4
    p.text(A4_W / 2, y, "驗證範圍：" if tw else "認證覆蓋範圍：", 12, "c")
    y += 8
    scope_t = s2t(c["scope"], tw=tw)
    y = p.para(28, y, scope_t, 12, A4_W - 56, "c")
    y += 4
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, 30, y + 3, A4_W - 60, trad=True, en=rng.random() < 0.5)
        surv = (True, dates)
    if c["transition"]:
        p.text(A4_W / 2, y + 2, s2t(c["transition_text"]), 9.5, "c", False, RED)
        y += 7
    clause = ("本證書之有效性須經年度追查稽核確認，證書有效狀態可於本公司網站查詢。" if tw else
              s2t(SURV_CLAUSE.format(site=site_of(c))))
    y = p.para(25, y + 2, clause, 8.5, A4_W - 50)
    y = max(y + 8, 222)
    if tw and rng.random() < 0.3:
        c["date_style"] = "roc"
    if c["p_initial"]:
        p.text(28, y, ("初次發證日期：" if not tw else "初次驗證日期：") + fmt(c, c["initial"]), 11)
        y += 7
    if c["p_decision"]:
        p.text(28, y, ("認證決定日期：" if not tw else "驗證決定日期：") + fmt(c, c["decision"]), 11)
        y += 7
    p.text(28, y, "發證日期：" + fmt(c, c["issue"]), 11)
    y += 7
    p.text(28, y, ("有效期限：" if tw else "有效期至：") + fmt(c, c["expiry"]), 11)
    y += 7
    if c["p_auditor"]:
        p.text(28, y, f"主導稽核員：{s2t(c['auditor'])}  資格編號：{c['auditor_no']}" if tw else
               f"審核組長：{s2t(c['auditor'])}  資格編號：{c['auditor_no']}", 9.5)
        y += 7
    yb = max(y + 6, 262)
    c["tw_taf"] = f"{rng.randint(1000, 3999)}"
    cn, iaf = marks_block(p, c, 24, yb, tw=tw)
    if c["p_qr"]:
        p.qr(A4_W / 2 - 9, yb - 4, 18, rng)
    cnca_printed = c["p_cnca"] and not tw
    seal_and_body(p, c, rng, 150, yb + 4, tw=tw, body_name=body_name, sub="驗證專用章" if tw else "認證專用章")
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] else None, scope_t, body_name,
                          surv=surv, cnas=cn, iaf=iaf, cnca=c["body"]["cnca"] if cnca_printed else None)
    if c["p_auditor"]:
        fields["auditor_name"] = s2t(c["auditor"])
    return [p], fields


def page_annex(c, rng, fp):
    p = Page(fp)
    border(p, rng, style=rng.choice([0, 2, 3]))
    p.text(A4_W / 2, 30, rng.choice(["证书附件", "证书附件 Annex to Certificate", "认证证书附件"]), 18, "c", True)
    p.text(24, 46, "证书编号：" + c["certno"], 11)
    p.text(24, 54, "组织名称：" + c["org"]["name"], 11)
    p.text(24, 66, "认证覆盖的范围及过程：", 11, "l", True)
    y = 75
    for i, pr in enumerate(c["procs"], 1):
        y = p.para(30, y, f"{i}. {pr}：{rng.choice(['依据服务目录', '按服务级别协议', '覆盖全部在运系统'])}实施的{pr}活动", 10.5, A4_W - 56)
        y += 1
    y += 4
    p.text(24, y, "认证覆盖的场所：", 11, "l", True)
    y += 8
    y = p.para(30, y, "1. " + c["org"]["addr"], 10.5, A4_W - 56)
    y += 6
    p.para(24, y, "本附件与证书同时使用有效。", 10, A4_W - 48)
    p.text(A4_W / 2, 280, "第2页 共2页", 9, "c")
    return p


def page_surveillance(c, rng, fp):
    p = Page(fp)
    border(p, rng, style=rng.choice([0, 2, 3]))
    p.text(A4_W / 2, 32, "年度监督审核记录", 18, "c", True)
    p.text(A4_W / 2, 40, "Surveillance Audit Record", 11, "c")
    p.text(24, 54, "证书编号：" + c["certno"], 11)
    p.text(24, 62, "组织名称：" + c["org"]["name"], 11)
    c2 = dict(c, p_surv="full")
    y, dates = surveillance_table(p, c2, 24, 74, A4_W - 48, en=False)
    p.para(24, y + 6, "监督审核结论：组织的管理体系持续有效，保持认证注册资格。", 10.5, A4_W - 48)
    p.seal(150, y + 34, 19, c["body"]["name"])
    p.text(150, y + 36, c["body"]["name"], 11, "c", True)
    p.text(A4_W / 2, 280, "第2页 共2页", 9, "c")
    return p, dates


def layout_two_page(c, rng, fp, base=None, second=None):
    base = base or rng.choice(["table", "centred", "bilingual"])
    second = second or rng.choice(["annex", "surveillance"])
    pages, fields = LAYOUTS[base](c, rng, fp, allow_surv=False)
    if second == "annex":
        p2 = page_annex(c, rng, fp)
    else:
        p2, dates = page_surveillance(c, rng, fp)
        fields["surveillance_section"] = True
        fields["surveillance_audits"] = [d.isoformat() for d in dates]
    return pages + [p2], fields, f"{base}+{second}"


LAYOUTS = {"table": layout_table, "centred": layout_centred, "english_first": layout_english_first,
           "bilingual": layout_bilingual, "traditional": layout_traditional}
LAYOUT_NAMES = ["table", "centred", "english_first", "bilingual", "traditional_tw", "traditional_hk", "two_page"]


def build_certificate(rng, layout, fp, std=None, org=None, numstyle=None, second=None, tweak=None):
    """returns pages, fields, layout name, variant; tweak(c, rng) may edit the values before layout"""
    region = {"traditional_tw": "tw", "traditional_hk": "hk"}.get(layout, "cn")
    c = make_cert(rng, std=std, org=org, region=region, numstyle=numstyle)
    if tweak:
        tweak(c, rng)
    variant = None
    if layout == "two_page":
        pages, fields, variant = layout_two_page(c, rng, fp, second=second)
    elif layout.startswith("traditional"):
        pages, fields = layout_traditional(c, rng, fp)
        variant = region
        layout = "traditional"
    else:
        pages, fields = LAYOUTS[layout](c, rng, fp)
    return pages, fields, layout, variant, c


# --------------------------------------------------------------------------------------
# non-certificate pages
# --------------------------------------------------------------------------------------
PROSE = [
    "我公司严格按照招标文件的要求编制本投标文件，对所提供资料的真实性、准确性和完整性负责。",
    "本项目运维服务团队由项目经理、系统工程师、网络工程师、数据库工程师及安全工程师组成，实行7×24小时值守。",
    "服务台统一受理用户的服务请求与故障报告，按照事件的影响范围和紧急程度确定优先级并跟踪至关闭。",
    "对于重大变更，我方将提交变更申请，经变更咨询委员会评审批准后方可实施，并制定回退方案。",
    "配置管理数据库记录全部硬件、软件及其关联关系，每季度开展一次配置审计，确保账实相符。",
    "我方建立了完善的信息安全管理制度，定期开展漏洞扫描、渗透测试和应急演练。",
    "项目实施期间，每月向采购人提交运维服务报告，内容包括服务级别达成情况、事件统计及改进建议。",
    "我公司承诺在合同签订后五个工作日内完成人员进场，并在十个工作日内完成运维交接。",
    "针对核心业务系统，我方制定了容量规划，结合历史数据预测资源需求，提前扩容以保障业务连续性。",
    "备份策略采用每日增量、每周全量的方式，备份数据异地存放，每半年进行一次恢复测试。",
    "我公司近三年无重大违法记录，未被列入失信被执行人、重大税收违法案件当事人名单。",
    "投标人已获得ISO/IEC 20000-1信息技术服务管理体系认证及ISO/IEC 27001信息安全管理体系认证，相关证书复印件附后。",
]
TOC_ITEMS = ["投标函", "法定代表人身份证明", "授权委托书", "投标报价一览表", "营业执照", "资质证书",
             "信息技术服务管理体系认证证书", "信息安全管理体系认证证书", "保持认证注册资格通知书",
             "技术方案", "项目实施方案", "售后服务承诺", "类似项目业绩", "其他材料"]


def page_prose(rng, fp, heading, n=None, page_no=None):
    p = Page(fp)
    y = 30
    p.text(A4_W / 2, y, heading, 16, "c", True)
    y += 14
    for k in range(n or rng.randint(5, 9)):
        y = p.para(22, y, rng.choice(PROSE), 11, A4_W - 44, indent=8) + 3
        if y > 260:
            break
    if page_no:
        p.text(A4_W / 2, 285, f"- {page_no} -", 9, "c")
    return p


def page_cover(rng, fp, org, project, d):
    p = Page(fp)
    p.text(A4_W / 2, 70, project, 18, "c", True)
    p.text(A4_W / 2, 100, "投 标 文 件", 30, "c", True)
    p.text(A4_W / 2, 118, rng.choice(["（技术及商务部分）", "（正本）", "（副本）"]), 13, "c")
    p.text(40, 200, "投标人：" + org["name"] + "（盖章）", 12)
    p.text(40, 212, "法定代表人或授权代表：" + org["legal"], 12)
    p.text(40, 224, "日期：" + fmt_date(d, "cn"), 12)
    return p


def page_toc(rng, fp, entries):
    p = Page(fp)
    p.text(A4_W / 2, 30, "目  录", 18, "c", True)
    y = 48
    for i, (name, pg) in enumerate(entries, 1):
        p.text(26, y, f"{i}. {name}", 11.5)
        p.text(A4_W - 26, y, str(pg), 11.5, "r")
        p.line(26 + measure(f"{i}. {name}", 11.5, fp) + 2, y, A4_W - 30, y, 0.2, (150, 150, 150))
        y += 9
    return p


def page_licence(rng, fp, org, d):
    p = Page(fp, bg=(252, 250, 240))
    p.rect(12, 12, A4_W - 24, A4_H - 24, 2.0, (160, 110, 40))
    p.text(A4_W / 2, 50, "营 业 执 照", 30, "c", True, RED)
    p.text(A4_W / 2, 62, "（副  本）", 12, "c")
    p.text(30, 76, "统一社会信用代码  " + (org["uscc"] or ""), 11)
    rows = [("名        称", org["name"]), ("类        型", "有限责任公司（自然人投资或控股）"),
            ("法定代表人", org["legal"]), ("注册资本", f"{rng.choice([500, 1000, 2000, 5000, 10000])}万元整"),
            ("成立日期", fmt_date(d, "cn")), ("住        所", org["addr"]),
            ("经营范围", "技术开发、技术咨询、技术服务；计算机系统服务；信息系统集成服务；数据处理；软件开发；"
                     "销售计算机、软件及辅助设备。（依法须经批准的项目，经相关部门批准后方可开展经营活动）")]
    y = 96
    for lab, val in rows:
        p.text(30, y, lab, 11.5, "l", True)
        y = p.para(66, y, val, 11.5, A4_W - 96) + 4
    p.qr(30, 215, 26, rng)
    p.text(150, 245, "登记机关", 12, "c", True)
    p.seal(150, 242, 18, f"{org.get('city', '')}市市场监督管理局", sub="")
    p.text(150, 258, fmt_date(d + dt.timedelta(days=rng.randint(300, 3000)), "cn"), 11, "c")
    return p


def page_notice(rng, fp, c, d):
    p = Page(fp)
    border(p, rng, style=3)
    p.text(A4_W / 2, 36, "保持认证注册资格通知书", 20, "c", True)
    y = 56
    p.text(22, y, c["org"]["name"] + "：", 12)
    y += 10
    txt = (f"根据国家认监委的规定及认可规范的相关要求，获证组织在认证证书有效期内应接受监督审核。"
           f"{c['body']['name']}依据{c['std_printed']}对贵组织实施了{c['zh_iso']}管理体系现场审核。"
           f"经审核，贵组织的管理体系持续符合标准要求，审核组推荐保持认证注册资格。经本机构评定，"
           f"编号为{c['certno']}管理体系认证证书继续有效，特此通知。（自本次审核结束之日起，有效期一年）")
    y = p.para(22, y, txt, 12, A4_W - 44, indent=8, leading=1.7)
    p.text(A4_W - 30, y + 30, c["body"]["name"], 12, "r")
    p.text(A4_W - 30, y + 40, fmt_date(d, "cn"), 12, "r")
    p.seal(A4_W - 60, y + 32, 19, c["body"]["name"])
    return p


def page_letter(rng, fp, org, d):
    p = Page(fp)
    kind = rng.choice(["授权委托书", "投标函", "售后服务承诺函", "资质声明函"])
    p.text(A4_W / 2, 36, kind, 20, "c", True)
    y = 58
    p.text(22, y, rng.choice(["致：", "致："]) + rng.choice(["某市大数据中心", "某省人民医院", "某市政务服务管理局"]), 12)
    y += 12
    body = (f"本人{org['legal']}系{org['name']}的法定代表人，现授权我公司员工{person(rng)}为我方代理人，"
            f"以我方名义签署、澄清、说明、补正、递交、撤回、修改投标文件。" if kind == "授权委托书" else
            f"{org['name']}（统一社会信用代码：{org['uscc']}）已取得ISO/IEC 20000-1:2018信息技术服务管理体系认证"
            f"和ISO/IEC 27001:2022信息安全管理体系认证，证书均在有效期内。我方承诺所提交的证书复印件真实有效，"
            f"如有虚假，愿承担相应法律责任。")
    y = p.para(22, y, body, 12, A4_W - 44, indent=8, leading=1.8)
    for s in rng.sample(PROSE, 2):
        y = p.para(22, y + 3, s, 12, A4_W - 44, indent=8, leading=1.8)
    p.text(A4_W - 30, y + 30, "投标人：" + org["name"] + "（盖章）", 12, "r")
    p.text(A4_W - 30, y + 40, "日期：" + fmt_date(d, rng.choice(["cn", "cnnum", "iso"])), 12, "r")
    p.seal(A4_W - 60, y + 32, 18, org["name"], sub="")
    return p


# --------------------------------------------------------------------------------------
# raster backend
# --------------------------------------------------------------------------------------
def render_page(page: Page, dpi, font_path=None) -> Image.Image:
    fp = font_path or page.fp
    k = dpi / 25.4
    W, H = int(round(A4_W * k)), int(round(A4_H * k))
    img = Image.new("RGB", (W, H), page.bg)
    d = ImageDraw.Draw(img)
    anchors = {"l": "ls", "c": "ms", "r": "rs"}
    for op in page.ops:
        kind = op[0]
        if kind == "text":
            _, x, y, s, size, align, bold, color = op
            px = max(6, int(round(size * dpi / 72.0)))
            f = pil_font(fp, px)
            sw = max(1, px // 28) if bold else 0
            d.text((x * k, y * k), s, font=f, fill=color, anchor=anchors[align], stroke_width=sw,
                   stroke_fill=color if sw else None)
        elif kind == "line":
            _, x1, y1, x2, y2, w, color = op
            d.line([(x1 * k, y1 * k), (x2 * k, y2 * k)], fill=color, width=max(1, int(w * k / MM_PT * 2.2)))
        elif kind == "rect":
            _, x, y, w, h, lw, color, fill = op
            d.rectangle([x * k, y * k, (x + w) * k, (y + h) * k], outline=color, fill=fill,
                        width=max(1, int(lw * k / MM_PT * 2.2)))
        elif kind == "poly":
            _, pts, lw, color = op
            d.line([(a * k, b * k) for a, b in pts], fill=color, width=max(1, int(lw * k / MM_PT * 2.2)))
        elif kind == "qr":
            _, x, y, size, m = op
            n = len(m)
            cell = size * k / n
            for i in range(n):
                for j in range(n):
                    if m[i][j]:
                        d.rectangle([x * k + j * cell, y * k + i * cell, x * k + (j + 1) * cell - 1,
                                     y * k + (i + 1) * cell - 1], fill=(0, 0, 0))
        elif kind == "logo":
            _, x, y, r, color = op
            d.ellipse([(x - r) * k, (y - r) * k, (x + r) * k, (y + r) * k], outline=color, width=max(2, int(k * 0.8)))
            d.ellipse([(x - r * 0.45) * k, (y - r * 0.45) * k, (x + r * 0.45) * k, (y + r * 0.45) * k], fill=color)
        elif kind == "seal":
            _, cx, cy, r, name, sub, alpha = op
            draw_seal(img, cx * k, cy * k, r * k, name, sub, alpha, fp)
            d = ImageDraw.Draw(img)
    return img


def star_points(cx, cy, r_out, r_in, up=True):
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r_out if i % 2 == 0 else r_in
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a) * (1 if up else -1)))
    return pts


def draw_seal(img, cx, cy, r, name, sub, alpha, fp):
    layer = seal_mask(r, name, sub, alpha, fp)
    o = layer.width / 2
    x0, y0 = int(cx - o), int(cy - o)
    red = Image.new("RGB", layer.size, RED)
    img.paste(red, (x0, y0), layer)


def seal_mask(r, name, sub, alpha, fp):
    """L-mode mask (0..255*alpha) of a round seal of radius r px; image side = 2r+8"""
    size = int(2 * r + 8)
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    o = size / 2
    w = max(2, int(r * 0.06))
    d.ellipse([o - r, o - r, o + r, o + r], outline=255, width=w)
    d.polygon(star_points(o, o, r * 0.28, r * 0.11), fill=255)
    chars = list(name)
    n = len(chars)
    span = min(280.0, 22.0 * n)
    fpx = max(8, int(r * min(0.3, 5.2 / max(n, 1) * 1.0 + 0.12)))
    f = pil_font(fp, fpx)
    rt = r - w - fpx * 0.75
    for i, ch in enumerate(chars):
        th = -span / 2 + (span * (i + 0.5) / n)
        t = Image.new("L", (fpx * 2, fpx * 2), 0)
        ImageDraw.Draw(t).text((fpx, fpx), ch, font=f, fill=255, anchor="mm")
        t = t.rotate(-th, resample=Image.BICUBIC)
        a = math.radians(th)
        px, py = o + rt * math.sin(a), o - rt * math.cos(a)
        layer.paste(255, (int(px - fpx), int(py - fpx)), t)
    if sub:
        f2 = pil_font(fp, max(8, int(r * 0.2)))
        d.text((o, o + r * 0.55), sub, font=f2, fill=255, anchor="mm")
    return layer.point(lambda v: int(v * alpha))


# --------------------------------------------------------------------------------------
# PDF backend
# --------------------------------------------------------------------------------------
_PDF_REG = set()


def pdf_font(name):
    """register a font for reportlab; name is a PDF_TTF key or a CID font name"""
    if name not in _PDF_REG:
        if name in PDF_TTF:
            pdfmetrics.registerFont(TTFont(name, PDF_TTF[name], subfontIndex=0))
        else:
            pdfmetrics.registerFont(UnicodeCIDFont(name))
        _PDF_REG.add(name)
    return name


def _rgb(c):
    return c[0] / 255.0, c[1] / 255.0, c[2] / 255.0


def pdf_draw_page(cv, page: Page, fontname):
    H = A4_H * MM_PT
    X = lambda v: v * MM_PT
    Y = lambda v: H - v * MM_PT
    if page.bg != (255, 255, 255):
        cv.setFillColorRGB(*_rgb(page.bg))
        cv.rect(0, 0, A4_W * MM_PT, H, stroke=0, fill=1)
    for op in page.ops:
        kind = op[0]
        if kind == "text":
            _, x, y, s, size, align, bold, color = op
            w = pdfmetrics.stringWidth(s, fontname, size)
            xx = X(x) - (w / 2 if align == "c" else w if align == "r" else 0)
            cv.setFillColorRGB(*_rgb(color))
            cv.setStrokeColorRGB(*_rgb(color))
            t = cv.beginText(xx, Y(y))
            t.setFont(fontname, size)
            if bold:
                cv.setLineWidth(size / 35.0)
                t.setTextRenderMode(2)
            t.textOut(s)
            cv.drawText(t)
        elif kind == "line":
            _, x1, y1, x2, y2, w, color = op
            cv.setStrokeColorRGB(*_rgb(color))
            cv.setLineWidth(w)
            cv.line(X(x1), Y(y1), X(x2), Y(y2))
        elif kind == "rect":
            _, x, y, w, h, lw, color, fill = op
            cv.setStrokeColorRGB(*_rgb(color))
            cv.setLineWidth(lw)
            if fill:
                cv.setFillColorRGB(*_rgb(fill))
            cv.rect(X(x), Y(y + h), w * MM_PT, h * MM_PT, stroke=1, fill=1 if fill else 0)
        elif kind == "poly":
            _, pts, lw, color = op
            cv.setStrokeColorRGB(*_rgb(color))
            cv.setLineWidth(lw)
            path = cv.beginPath()
            path.moveTo(X(pts[0][0]), Y(pts[0][1]))
            for a, b in pts[1:]:
                path.lineTo(X(a), Y(b))
            cv.drawPath(path, stroke=1, fill=0)
        elif kind == "qr":
            _, x, y, size, m = op
            n = len(m)
            cell = size / n
            cv.setFillColorRGB(0, 0, 0)
            for i in range(n):
                for j in range(n):
                    if m[i][j]:
                        cv.rect(X(x + j * cell), Y(y + (i + 1) * cell), cell * MM_PT, cell * MM_PT, stroke=0, fill=1)
        elif kind == "logo":
            _, x, y, r, color = op
            cv.setStrokeColorRGB(*_rgb(color))
            cv.setFillColorRGB(*_rgb(color))
            cv.setLineWidth(2)
            cv.circle(X(x), Y(y), r * MM_PT, stroke=1, fill=0)
            cv.circle(X(x), Y(y), r * 0.45 * MM_PT, stroke=0, fill=1)
        elif kind == "seal":
            _, cx, cy, r, name, sub, alpha = op
            k = 200 / 25.4  # seal raster at 200 dpi
            m = seal_mask(r * k, name, sub, alpha, page.fp)
            rgba = Image.new("RGBA", m.size, RED + (0,))
            rgba.putalpha(m)
            side = m.width / k  # mm
            cv.drawImage(ImageReader(rgba), X(cx - side / 2), Y(cy + side / 2), side * MM_PT, side * MM_PT,
                         mask="auto")


def new_canvas(target, encrypt=None):
    cv = rl_canvas.Canvas(target, pagesize=(A4_W * MM_PT, A4_H * MM_PT), invariant=1, encrypt=encrypt)
    cv.setTitle("certificate")
    cv.setAuthor("")
    cv.setProducer("certscan-gen")
    return cv


def pdf_add_image_page(cv, img: Image.Image, quality=70, dpi=200):
    """one JPEG per page; the page takes the image's size at its dpi (rotated scans -> landscape page)"""
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality, optimize=True)
    buf.seek(0)
    w, h = img.width * 72.0 / dpi, img.height * 72.0 / dpi
    cv.setPageSize((w, h))
    cv.drawImage(ImageReader(buf), 0, 0, w, h)
    cv.showPage()
    cv.setPageSize((A4_W * MM_PT, A4_H * MM_PT))


def write_pdf(path_or_buf, pages, modes, fontname, dpi=200, quality=70, degrade_fn=None, encrypt=None):
    """modes: list of 'text' | 'scan' per page"""
    cv = new_canvas(path_or_buf, encrypt)
    for pg, mode in zip(pages, modes):
        if mode == "text":
            pdf_draw_page(cv, pg, pdf_font(fontname))
            cv.showPage()
        else:
            img = render_page(pg, dpi)
            if degrade_fn:
                img = degrade_fn(img)
            pdf_add_image_page(cv, img, quality, dpi)
    cv.save()


def pdf_bytes(pages, modes, fontname, **kw):
    buf = io.BytesIO()
    write_pdf(buf, pages, modes, fontname, **kw)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# degradations
# --------------------------------------------------------------------------------------
def degrade(img: Image.Image, rng: random.Random, allow_rot90=True, strength=1.0):
    nrng = np.random.default_rng(rng.randrange(2 ** 32))
    applied = []
    # paper tint + uneven lighting
    a = np.asarray(img.convert("RGB"), dtype=np.float32)
    h, w = a.shape[:2]
    if rng.random() < 0.75:
        gx = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        gy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        ang = rng.uniform(0, 2 * math.pi)
        g = (math.cos(ang) * gx + math.sin(ang) * gy)
        g = (g - g.min()) / (g.max() - g.min() + 1e-6)
        lo = rng.uniform(0.72, 0.9)
        a *= (lo + (1 - lo) * g)[..., None]
        applied.append("uneven_lighting")
    if rng.random() < 0.5:
        a *= np.array([rng.uniform(0.93, 1.0), rng.uniform(0.92, 0.99), rng.uniform(0.85, 0.96)], dtype=np.float32)
        applied.append("paper_tint")
    if rng.random() < 0.8:
        sigma = rng.uniform(4, 14) * strength
        a += nrng.normal(0, sigma, size=(h, w, 1)).astype(np.float32)
        applied.append("noise")
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if rng.random() < 0.6:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.3) * strength))
        applied.append("blur")
    if rng.random() < 0.8:
        ang = rng.uniform(0.4, 4.0) * rng.choice([-1, 1])
        bgc = tuple(int(v) for v in np.asarray(img)[5, 5])
        img = img.rotate(ang, resample=Image.BICUBIC, expand=True, fillcolor=bgc)
        applied.append(f"skew{ang:+.1f}")
    if allow_rot90 and rng.random() < 0.25:
        r = rng.choice([90, 180, 270])
        img = img.rotate(r, expand=True)
        applied.append(f"rot{r}")
    return img, applied


# --------------------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------------------
def save_image(img, path, fmt, quality=85, palette=False, gray=False, dpi=300):
    if gray:
        img = img.convert("L")
    elif palette:
        img = img.convert("RGB").quantize(colors=palette if isinstance(palette, int) and palette > 1 else 32,
                                          method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    kw = {"dpi": (dpi, dpi)}
    if fmt == "JPEG":
        img = img.convert("RGB") if img.mode not in ("RGB", "L") else img
        kw.update(quality=quality, optimize=True)
    elif fmt == "WEBP":
        kw = {"quality": quality, "method": 4}
    elif fmt == "PNG":
        kw.update(optimize=True) if palette or gray else kw.update(compress_level=6)
    img.save(path, fmt, **kw)


def save_exif_jpeg(img, path, orientation, quality=85, dpi=200):
    # stored pixels are turned so that applying the EXIF orientation shows the page upright
    stored = img.transpose(Image.Transpose.ROTATE_90 if orientation == 6 else Image.Transpose.ROTATE_270)
    ex = Image.Exif()
    ex[0x0112] = orientation
    stored.convert("RGB").save(path, "JPEG", quality=quality, exif=ex.tobytes(), dpi=(dpi, dpi))


def cert_entry(pages, fields):
    return {"pages": pages, "fields": fields}


def record(file, kind, status="certificate", error=None, degraded=False, tier=None, layout=None, certs=None, **extra):
    r = {"file": file, "kind": kind, "expect_status": status, "expect_error_code": error, "degraded": degraded,
         "tier": tier, "layout": layout, "certificates": certs or []}
    r.update(extra)
    return r


# --------------------------------------------------------------------------------------
# bad inputs
# --------------------------------------------------------------------------------------
def png_chunk(typ, data):
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data) & 0xFFFFFFFF)


def make_bomb_png():
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def make_bad_tiff(rng):
    img = Image.new("L", (240, 80), 255)
    ImageDraw.Draw(img).text((10, 30), "CERT", fill=0)
    buf = io.BytesIO()
    img.save(buf, "TIFF")
    b = bytearray(buf.getvalue())
    assert b[:2] == b"II"
    ifd = struct.unpack_from("<I", b, 4)[0]
    n = struct.unpack_from("<H", b, ifd)[0]
    for i in range(n):
        off = ifd + 2 + 12 * i
        tag, typ, cnt = struct.unpack_from("<HHI", b, off)
        if tag == 273:  # StripOffsets -> far beyond EOF
            struct.pack_into("<HHII", b, off, tag, 4, 1, 0x7FFFFF00)
        elif tag == 279:  # StripByteCounts -> absurd
            struct.pack_into("<HHII", b, off, tag, 4, 1, 0x7FFFFFF0)
    # cut the strip data short as well
    return bytes(b[: max(ifd + 2 + 12 * n + 4, len(b) - 4000)])


def gen_bad(out, rng, prefix="bad", make_valid_pdf=None):
    recs = []
    (out / f"{prefix}_empty.pdf").write_bytes(b"")
    recs.append(record(f"{prefix}_empty.pdf", "bad_empty", "error", "empty"))
    valid = make_valid_pdf()
    (out / f"{prefix}_truncated.pdf").write_bytes(valid[: int(len(valid) * 0.4)])
    recs.append(record(f"{prefix}_truncated.pdf", "bad_truncated", "error", "truncated"))
    garbage = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(rng.getrandbits(8) for _ in range(6000))
    (out / f"{prefix}_corrupt.pdf").write_bytes(garbage)
    recs.append(record(f"{prefix}_corrupt.pdf", "bad_corrupt", "error", "corrupt"))
    (out / f"{prefix}_random.png").write_bytes(bytes(rng.getrandbits(8) for _ in range(5000)))
    recs.append(record(f"{prefix}_random.png", "bad_random", "error", "unsupported_format"))
    (out / f"{prefix}_bomb.png").write_bytes(make_bomb_png())
    recs.append(record(f"{prefix}_bomb.png", "bad_bomb", "error", "too_large"))
    (out / f"{prefix}_tiff.tif").write_bytes(make_bad_tiff(rng))
    recs.append(record(f"{prefix}_tiff.tif", "bad_tiff", "error", "corrupt"))
    return recs


# --------------------------------------------------------------------------------------
# item generation
# --------------------------------------------------------------------------------------
def pick_pdf_font(rng, trad=False, cid=None):
    if cid is None:
        cid = rng.random() < 0.35
    if cid:
        return "MSung-Light" if trad else "STSong-Light"
    keys = [k for k in PDF_TTF if not (trad and k == "wqy-microhei" and False)]
    return rng.choice(keys) if keys else ("MSung-Light" if trad else "STSong-Light")


def pdf_raster_path(fontname):
    """raster font used to measure/lay out text that will be drawn with a PDF font"""
    if fontname in PDF_TTF:
        return PDF_TTF[fontname]
    return next((f for f in FONTS if "Serif" in f), FONTS[0])


def gen_cert_file(out: Path, name: str, rng: random.Random, layout: str, kind: str, tier: str,
                  font_path=None, pdf_fontname=None, numstyle=None, dpi=300, quality=None, palette=False,
                  gray=False, std=None, second=None, tweak=None, post=None, degrade_fn=None):
    """render one certificate into one file; returns truth record.
    tweak(c, rng): edit the certificate's values before layout; post(fields, c): fix the truth fields;
    degrade_fn(img, rng) -> (img, applied): replaces the random degradation of raster pages"""
    trad = layout.startswith("traditional")
    if kind in ("pdf_text", "pdf_mixed", "encrypted_empty_pw"):
        pdf_fontname = pdf_fontname or pick_pdf_font(rng, trad)
        font_path = pdf_raster_path(pdf_fontname)
    font_path = font_path or rng.choice(FONTS)
    if kind in ("tiff", "pdf_mixed") and layout != "two_page":
        layout = "two_page"
    pages, fields, lname, variant, c = build_certificate(rng, layout, font_path, std=std, numstyle=numstyle,
                                                         second=second, tweak=tweak)
    if post:
        fields = post(fields, c)
    if lname == "two_page" or "+" in (variant or ""):
        lname = "two_page"
    page_nums = list(range(1, len(pages) + 1))
    degraded = tier == "degraded"
    degr, rots = [], []

    def raster(pg, allow_rot=True):
        img = render_page(pg, dpi, font_path)
        if degrade_fn:
            img, ap = degrade_fn(img, rng)
            degr.extend(ap)
            rots.append({"skew_ccw_deg": 0.0, "rotate_ccw_deg": 0})
        elif degraded:
            img, ap = degrade(img, rng, allow_rot90=allow_rot)
            degr.extend(ap)
            rots.append({"skew_ccw_deg": next((float(a[4:]) for a in ap if a.startswith("skew")), 0.0),
                         "rotate_ccw_deg": next((int(a[3:]) for a in ap if a.startswith("rot")), 0)})
        return img

    path = out / name
    extra = {"font": Path(font_path).name, "dpi": dpi if kind not in ("pdf_text",) else None,
             "number_style": c["numstyle"], "layout_variant": variant}
    if kind in ("png", "jpeg", "bmp", "webp", "exif_jpeg"):
        img = raster(pages[0], allow_rot=kind != "exif_jpeg")
        if kind == "png":
            save_image(img, path, "PNG", palette=palette, gray=gray, dpi=dpi)
        elif kind == "jpeg":
            save_image(img, path, "JPEG", quality=quality or (rng.randint(40, 70) if degraded else 88), gray=gray, dpi=dpi)
        elif kind == "bmp":
            save_image(img, path, "BMP", palette=256 if not gray else False, gray=gray, dpi=dpi)
        elif kind == "webp":
            save_image(img, path, "WEBP", quality=quality or (rng.randint(40, 70) if degraded else 80))
        else:
            orient = rng.choice([6, 8])
            save_exif_jpeg(img, path, orient, quality=quality or (rng.randint(45, 70) if degraded else 85), dpi=dpi)
            extra["exif_orientation"] = orient
        page_nums = [1]
        if len(pages) > 1:  # image formats hold page 1 only: truth from page 1
            fields = fields_first_page_only(fields, c)
    elif kind == "tiff":
        imgs = [raster(pg) for pg in pages]
        imgs = [im.convert("L") if gray else im.convert("RGB") for im in imgs]
        imgs[0].save(path, "TIFF", save_all=True, append_images=imgs[1:], compression="tiff_deflate", dpi=(dpi, dpi))
    elif kind == "pdf_scan":
        cv = new_canvas(str(path))
        for pg in pages:
            pdf_add_image_page(cv, raster(pg), quality or (rng.randint(40, 70) if degraded else 85), dpi)
        cv.save()
    elif kind in ("pdf_text", "encrypted_empty_pw"):
        enc = None
        if kind == "encrypted_empty_pw":
            from reportlab.lib.pdfencrypt import StandardEncryption
            enc = StandardEncryption("", ownerPassword="owner-" + str(rng.randint(1000, 9999)), canModify=0)
        write_pdf(str(path), pages, ["text"] * len(pages), pdf_fontname, encrypt=enc)
        extra["pdf_font"] = pdf_fontname
        extra["pdf_font_embedded"] = pdf_fontname in PDF_TTF
    elif kind == "pdf_mixed":
        cv = new_canvas(str(path))
        pdf_draw_page(cv, pages[0], pdf_font(pdf_fontname))
        cv.showPage()
        for pg in pages[1:]:
            img = render_page(pg, dpi, font_path)
            pdf_add_image_page(cv, img, quality or 75, dpi)
        cv.save()
        extra["pdf_font"] = pdf_fontname
        extra["page_modes"] = ["text"] + ["scan"] * (len(pages) - 1)
    else:
        raise ValueError(kind)
    if degr:
        extra["degradations"] = sorted(set(d if not d.startswith("skew") else "skew" for d in degr))
        extra["page_transform"] = rots  # per page: content turned counter-clockwise by these angles
    return record(name, kind, "certificate", None, degraded, tier, lname, [cert_entry(page_nums, fields)], **extra)


def fields_first_page_only(fields, c):
    f = dict(fields)
    f["surveillance_section"] = False
    f["surveillance_audits"] = []
    return f


def gen_package(out: Path, name: str, rng: random.Random, n_pages=None, quality=60):
    """A bid package PDF: cover, contents, prose, the business licence, the 20000-1 and 27001 certificates
    and a surveillance notice, text-layer and scanned pages mixed.
    n_pages=None: the short package of the `mixed` preset (12-19 pages). n_pages=N (the `bench` preset): about
    N pages in sections (prose, letters that mention the certificates), each section typed or scanned, the
    qualification block (licence, certificates, notice) somewhere in the middle, sometimes an annex page after
    the 20000-1 certificate and a third, older certificate (2-3 certificates, 2-4 certificate pages)."""
    fp_ttf = rng.choice(list(PDF_TTF)) if PDF_TTF else "STSong-Light"
    fp = pdf_raster_path(fp_ttf)
    org = make_org(rng, "cn")
    org["uscc"] = org["uscc"] or make_uscc(rng, "110108")
    body = rng.choice(BODIES)
    project = rng.choice(["某市政务云平台运维服务采购项目", "某省人民医院信息系统运维服务项目",
                          "某市大数据中心安全运营服务项目"])
    bid_date = rand_date(rng, 2025, 2025)
    c1_pages, f1, l1, _, c1 = build_certificate(rng, rng.choice(["table", "centred", "bilingual"]), fp,
                                                std="ISO/IEC 20000-1:2018", org=org)
    c2_pages, f2, l2, _, c2 = build_certificate(rng, rng.choice(["table", "centred", "english_first"]), fp,
                                                std="ISO/IEC 27001:2022", org=org)
    notice = page_notice(rng, fp, c1, add_years(c1["decision"], 1) - dt.timedelta(days=rng.randint(5, 40)))
    if n_pages is not None:
        return _gen_long_package(out, name, rng, n_pages, quality, fp_ttf, fp, org, project, bid_date,
                                 (c1_pages, f1, l1, c1), (c2_pages, f2, l2, c2), notice)
    n_before = rng.randint(3, 6)
    n_after = rng.randint(3, 7)
    pages, modes, roles = [], [], []
    pages.append(page_cover(rng, fp, org, project, bid_date)); modes.append("text"); roles.append("cover")
    pages.append(None); modes.append("text"); roles.append("toc")  # filled later
    heads = ["投标函", "法定代表人身份证明", "投标报价说明", "技术方案", "项目实施方案", "服务承诺"]
    for i in range(n_before):
        pages.append(page_prose(rng, fp, heads[i % len(heads)], page_no=len(pages) + 1))
        modes.append(rng.choice(["text", "text", "scan"])); roles.append("prose")
    pages.append(page_licence(rng, fp, org, rand_date(rng, 2005, 2018))); modes.append("scan"); roles.append("licence")
    p_c1 = len(pages) + 1
    pages.append(c1_pages[0]); modes.append(rng.choice(["scan", "scan", "text"])); roles.append("certificate")
    p_c2 = len(pages) + 1
    pages.append(c2_pages[0]); modes.append(rng.choice(["scan", "text"])); roles.append("certificate")
    pages.append(notice); modes.append(rng.choice(["scan", "text"])); roles.append("notice")
    tail = ["类似项目业绩", "售后服务承诺", "人员配置", "应急预案", "培训方案", "其他材料"]
    for i in range(n_after):
        pages.append(page_prose(rng, fp, tail[i % len(tail)], page_no=len(pages) + 1))
        modes.append(rng.choice(["text", "scan"])); roles.append("prose")
    while len(pages) < 12:
        pages.append(page_prose(rng, fp, "其他材料", page_no=len(pages) + 1)); modes.append("text"); roles.append("prose")
    toc = []
    for i, r in enumerate(roles):
        if r == "prose":
            toc.append((pages[i].ops[0][3], i + 1))
        elif r == "licence":
            toc.append(("营业执照", i + 1))
        elif r == "certificate":
            toc.append(("信息技术服务管理体系认证证书" if i + 1 == p_c1 else "信息安全管理体系认证证书", i + 1))
        elif r == "notice":
            toc.append(("保持认证注册资格通知书", i + 1))
    pages[1] = page_toc(rng, fp, toc)
    scan_deg = rng.random() < 0.5

    def dfn(img):
        return degrade(img, rng, allow_rot90=False, strength=0.6)[0] if scan_deg else img

    write_pdf(str(out / name), pages, modes, fp_ttf, dpi=rng.choice([150, 200]), quality=quality, degrade_fn=dfn)
    certs = [cert_entry([p_c1], f1), cert_entry([p_c2], f2)]
    return record(name, "pdf_package", "certificate", None, scan_deg, "degraded" if scan_deg else "clean", "package",
                  certs, page_count=len(pages), page_modes=modes, page_roles=roles,
                  licence_page=roles.index("licence") + 1, notice_pages=[roles.index("notice") + 1],
                  pdf_font=fp_ttf, layouts=[l1, l2])


PKG_SECTIONS_BEFORE = ["投标函", "法定代表人身份证明", "授权委托书", "投标报价一览表", "商务偏离表", "资格声明"]
PKG_SECTIONS_AFTER = ["技术方案", "项目实施方案", "服务承诺", "类似项目业绩", "售后服务承诺", "人员配置",
                      "应急预案", "培训方案", "质量保证措施", "其他材料"]
PKG_LETTERS = ("授权委托书", "资格声明", "投标函", "售后服务承诺")


def _gen_long_package(out, name, rng, n_pages, quality, fp_ttf, fp, org, project, bid_date, cert1, cert2, notice):
    """the bench preset's long bid package (see gen_package)"""
    c1_pages, f1, l1, c1 = cert1
    c2_pages, f2, l2, c2 = cert2
    # the qualification block
    block = [("licence", page_licence(rng, fp, org, rand_date(rng, 2005, 2018)), "scan", None)]
    block.append(("certificate", c1_pages[0], rng.choice(["scan", "scan", "scan", "text"]), 0))
    cert_fields, layouts = [f1, f2], [l1, l2]
    annex = rng.random() < 0.4
    if annex:  # the 20000-1 certificate's annex (scope processes, site) right after it
        block.append(("annex", page_annex(c1, rng, fp), block[-1][2], 0))
    block.append(("certificate", c2_pages[0], rng.choice(["scan", "scan", "text"]), 1))
    if rng.random() < 0.5:  # an older certificate the bidder attaches as well
        std3 = rng.choice(["ISO/IEC 27001:2013", "ISO/IEC 20000-1:2011"])
        c3_pages, f3, l3, _, _c3 = build_certificate(rng, rng.choice(["table", "centred", "bilingual"]), fp,
                                                     std=std3, org=org)
        block.append(("certificate", c3_pages[0], rng.choice(["scan", "text"]), 2))
        cert_fields.append(f3)
        layouts.append(l3)
    block.append(("notice", notice, rng.choice(["scan", "scan", "text"]), None))
    # the other pages: sections of prose and letters, each section typed or scanned as a whole
    n_other = max(4, n_pages - 2 - len(block))
    n_before = int(n_other * rng.uniform(0.15, 0.5))
    secs = []
    for part, heads, n in (("before", PKG_SECTIONS_BEFORE, n_before), ("after", PKG_SECTIONS_AFTER, n_other - n_before)):
        left, k = n, 0
        while left > 0:
            size = min(left, rng.randint(1, 3) if part == "before" else rng.randint(3, 14))
            secs.append((part, heads[k % len(heads)], size, rng.choice(["text", "text", "scan"])))
            left -= size
            k += 1
    pages, modes, roles, cert_pages, toc = [], [], [], [[] for _ in cert_fields], []
    pages.append(page_cover(rng, fp, org, project, bid_date)); modes.append("text"); roles.append("cover")
    pages.append(None); modes.append("text"); roles.append("toc")  # filled later

    def add_section(head, size, mode):
        toc.append((head, len(pages) + 1))
        for j in range(size):
            if head in PKG_LETTERS and j == 0:
                pg = page_letter(rng, fp, org, bid_date)
            else:
                pg = page_prose(rng, fp, head, page_no=len(pages) + 1)
            pages.append(pg); modes.append(mode); roles.append("prose")

    for part, head, size, mode in secs:
        if part == "before":
            add_section(head, size, mode)
    toc_names = {"licence": "营业执照", "notice": "保持认证注册资格通知书"}
    for role, pg, mode, ci in block:
        if role == "certificate":
            toc.append(("信息技术服务管理体系认证证书" if "20000" in cert_fields[ci]["standard"] else
                        "信息安全管理体系认证证书", len(pages) + 1))
        elif role in toc_names:
            toc.append((toc_names[role], len(pages) + 1))
        if ci is not None:
            cert_pages[ci].append(len(pages) + 1)
        pages.append(pg); modes.append(mode); roles.append(role)
    for part, head, size, mode in secs:
        if part == "after":
            add_section(head, size, mode)
    pages[1] = page_toc(rng, fp, toc[:24])
    scan_deg = rng.random() < 0.5
    dpi = rng.choice([150, 200, 200])

    def dfn(img):
        return degrade(img, rng, allow_rot90=False, strength=0.6)[0] if scan_deg else img

    write_pdf(str(out / name), pages, modes, fp_ttf, dpi=dpi, quality=quality, degrade_fn=dfn)
    certs = [cert_entry(pg, f) for pg, f in zip(cert_pages, cert_fields)]
    return record(name, "pdf_package", "certificate", None, scan_deg, "degraded" if scan_deg else "clean", "package",
                  certs, page_count=len(pages), page_modes=modes, page_roles=roles, scan_dpi=dpi,
                  licence_page=roles.index("licence") + 1, notice_pages=[roles.index("notice") + 1],
                  pdf_font=fp_ttf, layouts=layouts)


def gen_other(out, name, rng, fmt="png", dpi=150):
    fp = rng.choice(FONTS)
    org = make_org(rng, "cn")
    pg = page_letter(rng, fp, org, rand_date(rng, 2024, 2025))
    img = render_page(pg, dpi)
    if fmt == "png":
        save_image(img, out / name, "PNG", palette=16, dpi=dpi)
    elif fmt == "jpeg":
        save_image(img, out / name, "JPEG", quality=75, dpi=dpi)
    elif fmt == "pdf":
        write_pdf(str(out / name), [pg], ["text"], pick_pdf_font(rng))
    return record(name, "other", "not_certificate", None, False, "clean", "letter", [])


def gen_zip(out, name, rng):
    tmp = out / (".zipbuild_" + name)
    tmp.mkdir(exist_ok=True)
    members = []
    r1 = gen_cert_file(tmp, "a.jpg", rng, "centred", "jpeg", "clean", dpi=150, quality=75)
    r2 = gen_cert_file(tmp, "b.pdf", rng, "table", "pdf_text", "text_layer")
    r3 = gen_cert_file(tmp, "c.jpg", rng, "bilingual", "jpeg", "clean", dpi=150, quality=75)
    gbk_name = "资质文件/认证证书扫描件.jpg"
    entries = [("certs/cert_20000.jpg", tmp / "a.jpg", r1, "ascii"),
               ("certs/信息安全管理体系认证证书.pdf", tmp / "b.pdf", r2, "utf8"),  # zipfile sets flag 0x800
               (gbk_name, tmp / "c.jpg", r3, "gbk")]
    placeholders = {}
    zpath = out / name
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for mname, src, rec, enc in entries:
            arc = mname
            if enc == "gbk":
                raw = mname.encode("gbk")
                arc = "G" * len(raw)
                placeholders[arc.encode("ascii")] = raw
            zi = zipfile.ZipInfo(arc, date_time=(2025, 3, 1, 12, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, src.read_bytes())
            members.append({"name": mname, "name_encoding": enc, "expect_status": "certificate",
                            "expect_error_code": None, "kind": rec["kind"], "layout": rec["layout"],
                            "certificates": rec["certificates"]})
    data = zpath.read_bytes()
    for ph, raw in placeholders.items():
        assert data.count(ph) == 2, data.count(ph)
        data = data.replace(ph, raw)
    zpath.write_bytes(data)
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    return record(name, "zip", "certificate", None, False, "clean", None, [], members=members)


# --------------------------------------------------------------------------------------
# presets
# --------------------------------------------------------------------------------------
def sub_rng(seed, tag):
    return random.Random(f"certscan-gen:{seed}:{tag}")


def valid_pdf_factory(seed):
    def mk():
        rng = sub_rng(seed, "valid-pdf")
        fp = pdf_raster_path("STSong-Light")
        pages, fields, *_ = build_certificate(rng, "table", fp)
        return pdf_bytes(pages, ["text"], "STSong-Light")
    return mk


def preset_bad(out, seed, prefix="bad"):
    rng = sub_rng(seed, "bad")
    recs = gen_bad(out, rng, prefix, valid_pdf_factory(seed))
    # encrypted with a user password
    from reportlab.lib.pdfencrypt import StandardEncryption
    r = sub_rng(seed, "enc")
    fp = pdf_raster_path("STSong-Light")
    pages, *_ = build_certificate(r, "centred", fp)
    write_pdf(str(out / f"{prefix}_encrypted.pdf"), pages, ["text"], "STSong-Light",
              encrypt=StandardEncryption("s3cret", ownerPassword="owner", canPrint=0))
    recs.append(record(f"{prefix}_encrypted.pdf", "bad_encrypted", "error", "encrypted"))
    # encrypted with an empty user password: opens without a password
    recs.append(gen_cert_file(out, f"{prefix}_encrypted_empty_pw.pdf", sub_rng(seed, "encempty"), "table",
                              "encrypted_empty_pw", "text_layer"))
    # a JPEG wearing a .pdf name
    jr = gen_cert_file(out, f"{prefix}_jpeg_as_pdf.pdf", sub_rng(seed, "jpgpdf"), "centred", "jpeg", "clean",
                       dpi=150, quality=75)
    jr["kind"] = "jpeg_as_pdf"
    recs.append(jr)
    return recs


def preset_samples(out, seed):
    recs = []
    R = lambda t: sub_rng(seed, "samples-" + t)
    recs.append(gen_cert_file(out, "sample_table.png", R("table"), "table", "png", "clean", dpi=200, palette=48,
                              font_path=FONTS[0]))
    recs.append(gen_cert_file(out, "sample_centred.jpg", R("centred"), "centred", "jpeg", "clean", dpi=150,
                              quality=72))
    recs.append(gen_cert_file(out, "sample_english_first.webp", R("en"), "english_first", "webp", "clean", dpi=170,
                              quality=70))
    recs.append(gen_cert_file(out, "sample_traditional.jpg", R("trad"), "traditional_tw", "jpeg", "degraded",
                              dpi=170, quality=60))
    recs.append(gen_cert_file(out, "sample_text_embedded.pdf", R("pdfttf"), "bilingual", "pdf_text", "text_layer",
                              pdf_fontname="wqy-zenhei" if "wqy-zenhei" in PDF_TTF else None))
    recs.append(gen_cert_file(out, "sample_text_stsong.pdf", R("pdfcid"), "centred", "pdf_text", "text_layer",
                              pdf_fontname="STSong-Light"))
    recs.append(gen_cert_file(out, "sample_scan.pdf", R("scan"), "table", "pdf_scan", "degraded", dpi=150,
                              quality=55))
    recs.append(gen_cert_file(out, "sample_two_page.pdf", R("two"), "two_page", "pdf_mixed", "text_layer",
                              dpi=150, quality=55, second="surveillance"))
    recs.append(gen_other(out, "sample_not_certificate.png", R("other"), "png", dpi=120))
    return recs


def preset_mixed(out, seed):
    recs = []
    R = lambda t: sub_rng(seed, "mixed-" + t)
    recs.append(gen_cert_file(out, "mixed_table.png", R("png"), "table", "png", "clean", dpi=300))
    recs.append(gen_cert_file(out, "mixed_centred_degraded.jpg", R("jpeg"), "centred", "jpeg", "degraded", dpi=200))
    recs.append(gen_cert_file(out, "mixed_two_page.tif", R("tiff"), "two_page", "tiff", "clean", dpi=200, gray=False))
    recs.append(gen_cert_file(out, "mixed_bilingual.bmp", R("bmp"), "bilingual", "bmp", "clean", dpi=150))
    recs.append(gen_cert_file(out, "mixed_english_first.webp", R("webp"), "english_first", "webp", "clean", dpi=200))
    recs.append(gen_cert_file(out, "mixed_exif_rotated.jpg", R("exif"), "traditional_hk", "exif_jpeg", "clean",
                              dpi=200))
    recs.append(gen_cert_file(out, "mixed_text_ttf.pdf", R("pdfttf"), "bilingual", "pdf_text", "text_layer",
                              pdf_fontname=rng_choice_ttf(R("ttfpick"))))
    recs.append(gen_cert_file(out, "mixed_text_cid_trad.pdf", R("pdfcid"), "traditional_tw", "pdf_text",
                              "text_layer", pdf_fontname="MSung-Light"))
    recs.append(gen_cert_file(out, "mixed_scan.pdf", R("scan"), "english_first", "pdf_scan", "degraded", dpi=200))
    recs.append(gen_cert_file(out, "mixed_text_and_scan.pdf", R("mixedpdf"), "two_page", "pdf_mixed", "text_layer",
                              dpi=200, second="annex"))
    recs.append(gen_package(out, "mixed_bid_package.pdf", R("pkg")))
    recs.append(gen_zip(out, "mixed_certificates.zip", R("zip")))
    recs.append(gen_other(out, "mixed_letter.jpg", R("other"), "jpeg", dpi=200))
    recs.extend(preset_bad(out, seed, prefix="mixed_bad"))
    return recs


def rng_choice_ttf(rng):
    return rng.choice(list(PDF_TTF)) if PDF_TTF else "STSong-Light"


def accuracy_spec(seed, i):
    layouts = LAYOUT_NAMES
    tier = ["text_layer", "clean", "degraded", "degraded"][i % 4]
    layout = layouts[i % len(layouts)]
    rng = sub_rng(seed, f"acc-{i}")
    numstyle = "seed" if i % 5 in (0, 3) else "real"
    font_path = FONTS[(i // len(layouts)) % len(FONTS)]
    if tier == "text_layer":
        kind = "pdf_text"
    elif tier == "clean":
        kind = ["png", "jpeg", "pdf_scan", "png", "tiff" if layout == "two_page" else "webp"][(i // 4) % 5]
    else:
        kind = ["jpeg", "png", "pdf_scan", "jpeg", "exif_jpeg" if layout != "two_page" else "tiff"][(i // 4) % 5]
    if layout == "two_page" and kind in ("png", "jpeg", "webp", "exif_jpeg"):
        kind = "pdf_scan" if tier != "text_layer" else "pdf_text"
    dpi = 300 if tier != "degraded" else rng.choice([150, 170, 200, 200, 300])
    ext = {"png": "png", "jpeg": "jpg", "pdf_scan": "pdf", "pdf_text": "pdf", "tiff": "tif", "webp": "webp",
           "exif_jpeg": "jpg"}[kind]
    name = f"acc_{i:04d}_{layout}_{tier}.{ext}"
    pdf_fontname = None
    if kind == "pdf_text":
        opts = list(PDF_TTF) + ["CID"]
        pick = opts[(i // 4) % len(opts)]
        pdf_fontname = ("MSung-Light" if layout.startswith("traditional") else "STSong-Light") if pick == "CID" else pick
    return dict(name=name, layout=layout, kind=kind, tier=tier, font_path=font_path, numstyle=numstyle, dpi=dpi,
                pdf_fontname=pdf_fontname, i=i)


def _acc_worker(args):
    out, seed, i = args
    s = accuracy_spec(seed, i)
    rng = sub_rng(seed, f"acc-{i}-render")
    return gen_cert_file(Path(out), s["name"], rng, s["layout"], s["kind"], s["tier"], font_path=s["font_path"],
                         pdf_fontname=s["pdf_fontname"], numstyle=s["numstyle"], dpi=s["dpi"])


def preset_accuracy(out, seed, count, jobs):
    args = [(str(out), seed, i) for i in range(count)]
    if jobs > 1 and count > 4:
        with Pool(jobs) as pool:
            return list(pool.imap(_acc_worker, args, chunksize=2))
    return [_acc_worker(a) for a in args]


def _bench_worker(args):
    out, seed, kind, i, pages = args
    out = Path(out)
    if kind == "pkg":
        rng = sub_rng(seed, f"bench-pkg-{i}")
        n = rng.randint(*pages)
        return gen_package(out, f"packages/bid_{i:03d}.pdf", rng, n_pages=n, quality=80)
    if kind == "scan":
        rng = sub_rng(seed, f"bench-scan-{i}")
        layout = ["table", "centred", "bilingual", "english_first", "traditional_tw"][i % 5]
        tier = "clean" if i % 2 == 0 else "degraded"
        fmt = "jpeg" if i % 3 != 2 else "png"
        name = f"scans/scan_{i:03d}_{layout}_{tier}.{'jpg' if fmt == 'jpeg' else 'png'}"
        return gen_cert_file(out, name, rng, layout, fmt, tier, font_path=FONTS[i % len(FONTS)], dpi=300,
                             quality=85)
    rng = sub_rng(seed, f"bench-text-{i}")
    layout = ["table", "centred", "bilingual", "english_first", "traditional_tw", "two_page"][i % 6]
    return gen_cert_file(out, f"text/text_{i:03d}_{layout}.pdf", rng, layout, "pdf_text", "text_layer",
                         pdf_fontname=rng_choice_ttf(rng) if i % 4 else "STSong-Light")


def preset_bench(out, seed, count, jobs, pages=(50, 150)):
    """speed benchmark corpus (scripts/bench): `count` bid packages of 50-150 pages (`pages`) in packages/,
    `count` single scanned certificates (JPEG/PNG, 300 dpi) in scans/, 20 x `count` text-layer certificate PDFs
    in text/ (count defaults to 10; enough documents that their throughput, not process start-up, is
    measured)"""
    for d in ("packages", "scans", "text"):
        (out / d).mkdir(parents=True, exist_ok=True)
    args = [(str(out), seed, "pkg", i, pages) for i in range(count)] + \
           [(str(out), seed, "scan", i, pages) for i in range(count)] + \
           [(str(out), seed, "text", i, pages) for i in range(20 * count)]
    if jobs > 1:
        with Pool(jobs) as pool:
            return list(pool.imap(_bench_worker, args, chunksize=1))
    return [_bench_worker(a) for a in args]


# --------------------------------------------------------------------------------------
# spec mode: certificates described one by one (rule tests)
# --------------------------------------------------------------------------------------
SPEC_DOC = """\
--spec SPEC.json: a JSON list of certificates to render, each an object
  file       output name, may hold sub-folders ("m/a.pdf")          (required)
  kind       pdf_text (default: text layer, embedded TrueType font), png, jpeg, webp, bmp, tiff,
             pdf_scan, pdf_mixed
  layout     table (default), centred, bilingual, english_first, traditional_tw, traditional_hk, two_page
  fields     overrides of truth fields; null = not printed:
             certificate_number, organization_name, unified_social_credit_code, address, standard
             (normalised, e.g. "ISO/IEC 20000-1:2011"), standard_printed, supplementary_modules (list),
             scope, certification_body_name, cnca_approval_number, cnas_code, cnas_mark (bool),
             iaf_mark (bool), auditor_name, auditor_qualification_number, initial_issue_date,
             decision_date, issue_date, expiry_date (YYYY-MM-DD), surveillance_section (bool),
             surveillance_audits (list of dates, printed as given), transition_notice (bool or text)
             Dates not given follow the given ones (decision = issue, expiry = issue + 3 years - 1 day,
             surveillance audits a little before each anniversary of the decision date).
  number_style  seed (17 characters, 6-character body code) or real (00125IT15304R1M): the style of a
             generated number (ignored when certificate_number is given)
  body_code  the certification body, by its 3-digit code in the CNCA snapshot (a code not in it makes
             a fictional body "某某认证有限公司", CNCA-R-2099-<code>)
  print      {date_style: cn|cn0|iso|dot|slash|cnnum|en_mdy|..., seal, qr, logo (the body's logo),
             clause (the surveillance clause), decision, initial} (booleans switch printed elements)
  tag        items with the same tag (and the same fields) are the same certificate (default: file)
  dpi, font  raster kinds: resolution (default 300), font file (default the first CJK font)
  pdf_font   text PDFs: a TrueType key (wqy-zenhei, wqy-microhei, uming, ukai) or a CID font name
  degrade    raster kinds: null (clean, default), "random" (the accuracy preset's scan degradations) or
             {blur: px, noise: sigma, contrast: 0..1 (1 = unchanged), scale: 0..1 (downsample, upsample),
             tint: [r, g, b] multipliers (a coloured paper or scanner cast, e.g. [0.97, 0.9, 0.8]),
             skew: degrees counter-clockwise, rotate: 90|180|270 (counter-clockwise)}
  as_of      generated (not given) surveillance audits later than this date are not recorded
             (default 2025-11-15)
Everything not given is the generator's usual random valid value, seeded by --seed and tag.
"""

REAL_NUMBER_RE = __import__("re").compile(r"^\d{3}\d{2}[A-Z]{1,4}\d{3,6}R\d[SML](/\d{4})?(-\d+)?$")
SPEC_KEYS = {"file", "kind", "layout", "fields", "number_style", "body_code", "print", "tag", "dpi", "font",
             "pdf_font", "degrade", "as_of", "note"}
SPEC_FIELD_KEYS = {"certificate_number", "organization_name", "unified_social_credit_code", "address", "standard",
                   "standard_printed", "supplementary_modules", "scope", "certification_body_name",
                   "cnca_approval_number", "cnas_code", "cnas_mark", "iaf_mark", "auditor_name",
                   "auditor_qualification_number", "initial_issue_date", "decision_date", "issue_date",
                   "expiry_date", "surveillance_section", "surveillance_audits", "transition_notice"}
SPEC_PRINT_KEYS = {"date_style", "seal", "qr", "logo", "clause", "decision", "initial"}
# elements every layout prints; only these layouts can leave them out
FLAG_LAYOUTS = {"table", "centred", "bilingual", "two_page"}
ALWAYS_PRINTED = {"certificate_number": "certno", "organization_name": "org", "scope": "scope",
                  "standard": "std", "standard_printed": "std", "issue_date": "issue", "expiry_date": "expiry",
                  "certification_body_name": "body"}


def infer_std(printed):
    t = printed.replace("：", ":").replace(" ", "").upper()
    for k in STD:
        if k.replace(" ", "").upper() in t:
            return k
    return None


def spec_date(v, what):
    try:
        return dt.date.fromisoformat(v)
    except (TypeError, ValueError):
        raise SystemExit(f"gen_certs: --spec: {what}: expected a date YYYY-MM-DD, found {v!r}")


def spec_degrade(opts):
    """a degrade_fn for gen_cert_file from the spec's degrade options"""
    if opts in (None, False, "none"):
        return None
    if opts == "random":
        return lambda img, rng: degrade(img, rng, allow_rot90=False)

    def fn(img, rng):
        applied = []
        nrng = np.random.default_rng(rng.randrange(2 ** 32))
        sc = float(opts.get("scale", 1.0))
        if sc < 1.0:
            w, h = img.size
            img = img.resize((max(1, int(w * sc)), max(1, int(h * sc))), Image.BILINEAR).resize((w, h), Image.BILINEAR)
            applied.append("downsample")
        a = np.asarray(img.convert("RGB"), dtype=np.float32)
        k = float(opts.get("contrast", 1.0))
        if k != 1.0:
            a = 255.0 - (255.0 - a) * k
            applied.append("low_contrast")
        tint = opts.get("tint")
        if tint:
            a *= np.array([float(v) for v in tint], dtype=np.float32)
            applied.append("paper_tint")
        sigma = float(opts.get("noise", 0))
        if sigma > 0:
            a += nrng.normal(0, sigma, size=a.shape[:2] + (1,)).astype(np.float32)
            applied.append("noise")
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        r = float(opts.get("blur", 0))
        if r > 0:
            img = img.filter(ImageFilter.GaussianBlur(r))
            applied.append("blur")
        sk = float(opts.get("skew", 0))
        if sk:
            bgc = tuple(int(v) for v in np.asarray(img)[5, 5])
            img = img.rotate(sk, resample=Image.BICUBIC, expand=True, fillcolor=bgc)
            applied.append(f"skew{sk:+.1f}")
        rot = int(opts.get("rotate", 0))
        if rot in (90, 180, 270):
            img = img.rotate(rot, expand=True)
            applied.append(f"rot{rot}")
        return img, applied
    return fn


def spec_item(out: Path, seed, item, idx):
    bad = set(item) - SPEC_KEYS
    if bad or "file" not in item:
        raise SystemExit(f"gen_certs: --spec item {idx}: unknown keys {sorted(bad)} or no 'file'")
    f = dict(item.get("fields") or {})
    pr = dict(item.get("print") or {})
    bad = (set(f) - SPEC_FIELD_KEYS) | {"print." + k for k in set(pr) - SPEC_PRINT_KEYS}
    if bad:
        raise SystemExit(f"gen_certs: --spec item {idx} ({item['file']}): unknown fields {sorted(bad)}")
    name, kind = item["file"], item.get("kind", "pdf_text")
    layout = item.get("layout", "table")
    for k, flag in ALWAYS_PRINTED.items():
        if k in f and f[k] is None and layout not in FLAG_LAYOUTS:
            raise SystemExit(f"gen_certs: --spec item {idx} ({name}): layout {layout} cannot leave {k} out "
                             f"(use one of {sorted(FLAG_LAYOUTS)})")
    if pr.get("clause") is False and layout not in FLAG_LAYOUTS:
        raise SystemExit(f"gen_certs: --spec item {idx} ({name}): layout {layout} always prints the clause")
    std = f.get("standard")
    if std is None and f.get("standard_printed"):
        std = infer_std(f["standard_printed"])
    if std is not None and std not in STD:
        raise SystemExit(f"gen_certs: --spec item {idx} ({name}): standard must be one of {sorted(STD)}")
    numstyle = item.get("number_style")
    as_of = spec_date(item["as_of"], "as_of") if item.get("as_of") else None

    def tweak(c, rng):
        c["body"] = dict(c["body"])
        c["org"] = dict(c["org"])
        code = item.get("body_code")
        if code:
            b = next((b for b in BODIES if b["code"] == code), None)
            if b is None:
                b = {"code": code, "name": "某某认证有限公司", "cnca": f"CNCA-R-2099-{code[-3:]}", "cnas": ""}
            c["body"] = dict(b)
            c["cnas"] = b["cnas"] or f"CNAS C{b['code']}-M"
        # dates: given ones, and the others following them
        issue_given = bool(f.get("issue_date"))
        if issue_given:
            c["issue"] = spec_date(f["issue_date"], "issue_date")
        if "issue_date" in f and f["issue_date"] is None:
            c["p_issue"] = False
        if "decision_date" in f:
            if f["decision_date"] is None:
                c["p_decision"] = False
            else:
                c["decision"] = spec_date(f["decision_date"], "decision_date")
                c["p_decision"] = True
                if not issue_given:
                    c["issue"] = c["decision"]
        elif issue_given:
            c["decision"] = c["issue"]
        if "expiry_date" in f:
            if f["expiry_date"] is None:
                c["p_expiry"] = False
            else:
                c["expiry"] = spec_date(f["expiry_date"], "expiry_date")
        else:
            c["expiry"] = add_years(c["issue"], 3) - dt.timedelta(days=1)
        if "initial_issue_date" in f:
            if f["initial_issue_date"] is None:
                c["p_initial"] = False
            else:
                c["initial"] = spec_date(f["initial_issue_date"], "initial_issue_date")
                c["p_initial"] = True
        else:
            c["initial"] = add_years(c["issue"], -3)
        c["surv_dates"] = [add_years(c["decision"], 1) - dt.timedelta(days=rng.randint(5, 60)),
                           add_years(c["decision"], 2) - dt.timedelta(days=rng.randint(5, 60))]
        if as_of:
            c["surv_limit"] = as_of
        if "surveillance_audits" in f:
            c["surv_dates"] = [spec_date(d, "surveillance_audits") for d in f["surveillance_audits"]]
            c["surv_limit"] = dt.date.max
            c["p_surv"] = "full" if c["surv_dates"] else "empty"
        if "surveillance_section" in f:
            if not f["surveillance_section"]:
                c["p_surv"] = None
            elif not c["p_surv"]:
                c["p_surv"] = "full"
        # the number (after the body and the issue year)
        if "certificate_number" in f:
            if f["certificate_number"] is None:
                c["p_certno"] = False
            else:
                n = f["certificate_number"]
                c["certno"] = n
                real = bool(REAL_NUMBER_RE.match(n))
                c["body_field"] = n[:3] if real else n[:6]
                c["numstyle"] = "real" if real else "seed" if len(n) == 17 else "other"
        else:
            if numstyle:
                c["numstyle"] = numstyle
            c["certno"], c["body_field"] = make_certno(rng, c["body"]["code"], c["std"], c["issue"].year,
                                                       c["numstyle"])
        if "organization_name" in f:
            if f["organization_name"] is None:
                c["p_org"] = False
            else:
                c["org"]["name"] = f["organization_name"]
        if "unified_social_credit_code" in f:
            c["org"]["uscc"] = f["unified_social_credit_code"]
            c["p_uscc"] = f["unified_social_credit_code"] is not None
        if "address" in f:
            c["org"]["addr"] = f["address"] or c["org"]["addr"]
            c["p_addr"] = f["address"] is not None
            c["p_prod_addr"] = False
        if "standard" in f and f["standard"] is None or "standard_printed" in f and f["standard_printed"] is None:
            c["p_std"] = False
        elif f.get("standard_printed"):
            c["std_printed"] = f["standard_printed"]
        if "supplementary_modules" in f:
            c["modules"] = list(f["supplementary_modules"] or [])
        if "scope" in f:
            if f["scope"] is None:
                c["p_scope"] = False
            else:
                c["scope"] = f["scope"]
                c["scope_en"] = f["scope"] if layout == "english_first" else ""
                c["procs"] = [p for p, _ in PROCESSES if p in f["scope"]]
        if "certification_body_name" in f:
            if f["certification_body_name"] is None:
                c["p_body"] = False
            else:
                c["body"]["name"] = f["certification_body_name"]
        if "cnca_approval_number" in f:
            c["p_cnca"] = f["cnca_approval_number"] is not None
            c["body"]["cnca"] = f["cnca_approval_number"] or c["body"]["cnca"]
        if "cnas_code" in f:
            c["p_cnas"] = f["cnas_code"] is not None
            c["cnas"] = f["cnas_code"] or c["cnas"]
        if "cnas_mark" in f:
            c["p_cnas"] = bool(f["cnas_mark"])
        if "iaf_mark" in f:
            c["p_iaf"] = bool(f["iaf_mark"])
        if "auditor_name" in f or "auditor_qualification_number" in f:
            c["auditor"] = f.get("auditor_name", c["auditor"])
            c["auditor_no"] = f.get("auditor_qualification_number", c["auditor_no"])
            c["p_auditor"] = bool(c["auditor"] or c["auditor_no"])
        if "transition_notice" in f:
            t = f["transition_notice"]
            c["transition"] = bool(t)
            if isinstance(t, str):
                c["transition_text"] = c["transition_en"] = t
            elif t and not c["transition_text"]:
                c["transition_text"] = {"ISO/IEC 27001:2013": "本证书须于2025年10月31日前完成向ISO/IEC 27001:2022的标准转换",
                                        "ISO/IEC 20000-1:2011": "本证书须于2021年9月30日前完成向ISO/IEC 20000-1:2018的标准转换"}\
                    .get(c["std"], "本证书须于2025年12月31日前完成标准转换")
                c["transition_en"] = c["transition_text"]
        if "date_style" in pr:
            c["date_style"] = c["date_style_en"] = pr["date_style"]
        for k, flag in (("seal", "p_seal"), ("qr", "p_qr"), ("logo", "p_logo"), ("clause", "p_clause"),
                        ("decision", "p_decision"),
                        ("initial", "p_initial")):
            if k in pr:
                c[flag] = bool(pr[k])

    def post(fields, c):
        fields = dict(fields)
        if not c.get("p_certno", True):
            fields["certificate_number"] = fields["body_code"] = None
        if not c.get("p_org", True):
            fields["organization_name"] = None
        if not c.get("p_scope", True):
            fields["scope"], fields["scope_processes"] = None, []
        if not c.get("p_std", True):
            fields["standard_printed"] = None
        if not c.get("p_issue", True):
            fields["issue_date"] = None
        if not c.get("p_expiry", True):
            fields["expiry_date"] = None
        if not c.get("p_body", True):
            fields["certification_body_name"] = None
        fields["surveillance_clause"] = c.get("p_clause", True)
        return fields

    raster = kind not in ("pdf_text", "encrypted_empty_pw")
    pdf_fontname = item.get("pdf_font") or (
        "wqy-zenhei" if "wqy-zenhei" in PDF_TTF else next(iter(PDF_TTF), "STSong-Light"))
    font_path = item.get("font") or FONTS[0]
    rng = sub_rng(seed, "spec-" + str(item.get("tag", name)))
    (out / name).parent.mkdir(parents=True, exist_ok=True)
    degr = spec_degrade(item.get("degrade")) if raster else None
    tier = "text_layer" if not raster else "degraded" if degr else "clean"
    rec = gen_cert_file(out, name, rng, layout, kind, tier,
                        font_path=None if kind in ("pdf_text", "pdf_mixed", "encrypted_empty_pw") else font_path,
                        pdf_fontname=pdf_fontname, numstyle=numstyle, dpi=int(item.get("dpi", 300)),
                        std=std, tweak=tweak, post=post, degrade_fn=degr)
    rec["spec"] = item
    return rec


def preset_spec(out, seed, spec_path):
    try:
        items = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SystemExit(f"gen_certs: --spec {spec_path}: {e}")
    if not isinstance(items, list):
        raise SystemExit(f"gen_certs: --spec {spec_path}: expected a JSON list of certificates")
    return [spec_item(out, seed, it, i) for i, it in enumerate(items)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--preset", choices=["samples", "mixed", "accuracy", "bad", "bench", "newlayouts"], default="samples")
    ap.add_argument("--count", type=int, default=None,
                    help="accuracy preset: number of certificates (200); newlayouts: (72); bench: number of bid "
                         "packages (10)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (accuracy, bench)")
    ap.add_argument("--pages", default="50-150", metavar="LO-HI",
                    help="bench preset: pages per bid package (default 50-150; smaller for smoke tests)")
    ap.add_argument("--spec", metavar="SPEC.json",
                    help="render the certificates SPEC.json describes instead of a preset (see --help-spec)")
    ap.add_argument("--help-spec", action="store_true", help="describe the --spec format and exit")
    if argv is None and "--help-spec" in sys.argv[1:] or argv and "--help-spec" in argv:
        print(SPEC_DOC)
        return
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if a.spec:
        recs = preset_spec(out, a.seed, a.spec)
    elif a.preset == "samples":
        recs = preset_samples(out, a.seed)
    elif a.preset == "mixed":
        recs = preset_mixed(out, a.seed)
    elif a.preset == "bad":
        recs = preset_bad(out, a.seed)
    elif a.preset == "bench":
        try:
            lo, hi = (int(v) for v in a.pages.split("-"))
            assert 8 <= lo <= hi
        except (ValueError, AssertionError):
            raise SystemExit(f"gen_certs: --pages {a.pages!r}: expected LO-HI with 8 <= LO <= HI")
        recs = preset_bench(out, a.seed, 10 if a.count is None else a.count, a.jobs, (lo, hi))
    elif a.preset == "newlayouts":  # layouts and wordings the extractor was not tuned on
        import gen_newlayouts
        recs = gen_newlayouts.preset(out, a.seed, 72 if a.count is None else a.count, a.jobs)
    else:
        recs = preset_accuracy(out, a.seed, 200 if a.count is None else a.count, a.jobs)
    with open(out / "truth.jsonl", "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")
    total = sum((out / r["file"]).stat().st_size for r in recs)
    print(f"gen_certs: {len(recs)} files, {total / 1e6:.2f} MB in {out} ({time.time() - t0:.1f}s)", file=sys.stderr)


if __name__ == "__main__":
    main()
