"""gencerts.values: value generators."""
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

from .data import *  # noqa: F401,F403
from .script import *  # noqa: F401,F403

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
