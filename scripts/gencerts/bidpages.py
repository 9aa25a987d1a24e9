"""gencerts.bidpages: non-certificate pages."""
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
from .values import *  # noqa: F401,F403
from .page import *  # noqa: F401,F403
from .layouts import *  # noqa: F401,F403

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
