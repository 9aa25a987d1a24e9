"""The `newlayouts` preset of gen_certs.py: certificates in layouts and wordings the
extractor was not tuned on (issue 14).

    python3 scripts/gen_certs.py --out DIR --preset newlayouts [--count 72] [--seed 5]

Six layouts, drawn from how real certificates are printed (SPEC section 2), not from
the extractor's lexicon (models/labels.toml is never read here; the label wordings
below were written from SPEC section 2 and real certificates, several of them on
purpose outside what the extractor knew when this preset was written):

- en_first_columns  English-first bilingual: "Label English 中文" in a right-hand
                    column with the value on the next line; holder, address and
                    scope in the left-hand column at the same heights.
- labels_above      every label on its own line, its value on the line below.
- two_column        holder, address and scope on the left, number and dates on the
                    right (label and value on one line), the two halves side by side.
- prose_en          "This is to certify that the Management System of ORG ... has
                    been assessed and found to conform to ...", "valid from ... until".
- prose_zh          "兹证明 ORG ... 建立的 ... 管理体系符合 ... 标准", 有效期：A至B.
- grid_en           an English table with the validity as a range in one cell.

Standards: ISO 9001, 14001, 45001, 22000, 50001, 27701, ISO/IEC 20000-1 and 27001,
with their GB/T twins where one exists. Files rotate over three tiers: text-layer
PDFs (`text_layer`), 200-300 dpi PNG scans (`clean`) and web-sized JPEGs 450-700 px
wide (`web`). The truth follows gen_certs.py's truth.jsonl format; fields a layout
does not print are null (not scored), `body_code` is null (its length is a profile
choice).
"""
import datetime as dt
from pathlib import Path

from PIL import Image

from . import cli as g

# normalised -> (zh name of the system, en name, GB/T twin printed before the ISO
# number or None, scheme letters of CNCA-style numbers, issue years)
STANDARDS = {
    "ISO 9001:2015": ("质量管理体系", "Quality Management System", "GB/T 19001-2016", "Q", (2022, 2025)),
    "ISO 14001:2015": ("环境管理体系", "Environmental Management System", "GB/T 24001-2016", "E", (2022, 2025)),
    "ISO 45001:2018": ("职业健康安全管理体系", "Occupational Health and Safety Management System",
                       "GB/T 45001-2020", "S", (2022, 2025)),
    "ISO 22000:2018": ("食品安全管理体系", "Food Safety Management System", None, "FSMS", (2022, 2025)),
    "ISO 50001:2018": ("能源管理体系", "Energy Management System", "GB/T 23331-2020", "EN", (2022, 2025)),
    "ISO/IEC 27701:2019": ("隐私信息管理体系", "Privacy Information Management System", None, "PIMS", (2022, 2025)),
    "ISO/IEC 20000-1:2018": ("信息技术服务管理体系", "IT Service Management System", None, "ITSM", (2022, 2025)),
    "ISO/IEC 27001:2022": ("信息安全管理体系", "Information Security Management System", "GB/T 22080-2025",
                           "ISMS", (2023, 2025)),
}
STD_NAMES = list(STANDARDS)

SCOPES = {  # (zh, en) per standard family; no process of the 20000-1 vocabulary unless 20000-1
    "9001": [("计算机软件的开发和技术服务", "Development of computer software and related technical services"),
             ("电线电缆的设计、生产和销售", "Design, production and sales of wires and cables"),
             ("物业管理服务", "Property management services")],
    "14001": [("电子元器件的生产及相关环境管理活动", "Environmental management activities related to the production of "
                                                 "electronic components"),
              ("办公家具的设计和生产所涉及的环境管理活动", "Environmental management activities of the design and "
                                                       "production of office furniture")],
    "45001": [("建筑工程施工及相关职业健康安全管理活动", "Occupational health and safety management activities of "
                                                   "building construction"),
              ("机电设备安装服务所涉及的职业健康安全管理活动", "OH&S management activities of the installation of "
                                                         "electromechanical equipment")],
    "22000": [("速冻食品的生产", "Production of quick-frozen food"),
              ("预包装食品的加工和配送", "Processing and distribution of prepackaged food")],
    "50001": [("钢结构件的生产所涉及的能源管理活动", "Energy management activities of the production of steel "
                                                  "structures")],
    "27701": [("云平台运营服务所涉及的隐私信息管理活动", "Privacy information management activities of cloud platform "
                                                     "operation services")],
    "27001": [("软件开发和数据中心运营所涉及的信息安全管理活动", "Information security management activities related to "
                                                          "software development and data centre operation")],
}
PROC_20000 = [("事件管理", "incident management"), ("变更管理", "change management"),
              ("问题管理", "problem management"), ("服务级别管理", "service level management"),
              ("容量管理", "capacity management"), ("配置管理", "configuration management")]

# Label wordings, per field: Chinese and English, written for this preset.
ZH = {
    "number": ["证书编号", "证书注册号", "注册证书号", "认证证书号", "证书号码", "证书号"],
    "org": ["获证组织", "组织名称", "受审核组织", "认证组织名称", "企业名称", "申请人"],
    "addr": ["注册地址", "地址", "组织地址", "经营地址", "住所"],
    "std": ["认证依据", "依据标准", "认证标准", "审核准则"],
    "scope": ["认证范围", "认证覆盖范围", "业务范围", "注册范围", "认证覆盖的产品及过程"],
    "issue": ["发证日期", "颁证日期", "签发日期", "本次发证日期", "换证日期", "证书签发日期"],
    "expiry": ["有效期至", "证书有效期至", "证书到期日", "有效期截止", "到期日期"],
    "initial": ["初次发证日期", "初次认证日期", "首次发证日期", "首次获证日期"],
    "body": ["认证机构", "发证机构", "颁证机构"],
}
EN = {
    "number": ["Certificate No.", "Certificate Number", "Registration No.", "Reg. No.", "Cert. No.",
               "Certificate Registration No."],
    "org": ["Organization", "Name of Organisation", "Certified Organization", "Registered Company", "Certificate Holder"],
    "addr": ["Address", "Registered Address", "Site Address", "Location"],
    "std": ["Standard", "Audit Criteria", "Certification Standard", "Standard(s)"],
    "scope": ["Scope", "Scope of Certification", "Scope of Registration", "Certified Activities"],
    "issue": ["Date of Issue", "Issue Date", "Issuing Date", "Date of Certification", "Issued on"],
    "expiry": ["Valid until", "Expiry Date", "Date of Expiry", "Expiration Date", "Valid Until"],
    "initial": ["Original Registration Date", "Original Approval Date", "Initial Certification Date",
                "Date of Initial Registration"],
    "body": ["Certification Body", "Issued by", "Certificate issuer"],
}
CLAUSES_ZH = ["在证书有效期内获证组织按规定接受年度监督，本证书与保持注册通知书一并使用方可有效。",
              "获证组织必须定期接受监督审核并经审核合格此证书方继续有效。",
              "本证书须与认证机构颁发的年度监督审核合格通知书同时使用。"]
CLAUSES_EN = ["This certificate remains valid subject to satisfactory surveillance audits.",
              "The validity of this certificate depends on annual surveillance audits."]
LAYOUTS = ["en_first_columns", "labels_above", "two_column", "prose_en", "prose_zh", "grid_en"]
W = g.A4_W


def zh_date(d, v):
    return g.fmt_date(d, v["zh_style"])


def en_date(d, v):
    return g.fmt_date(d, v["en_style"])


def make_values(rng, std):
    zh_sys, en_sys, twin, letters, (y0, y1) = STANDARDS[std]
    org = g.make_org(rng, "cn")
    body = rng.choice(g.BODIES)
    issue = g.rand_date(rng, y0, y1)
    expiry = g.add_years(issue, 3) - dt.timedelta(days=1)
    initial = g.add_years(issue, -rng.choice([3, 6])) - dt.timedelta(days=rng.randint(0, 60))
    number = (f"{body['code'][-3:]}{issue.year % 100:02d}{letters}{rng.randint(10000, 99999)}"
              f"R{rng.randint(0, 3)}{rng.choice('SML')}")
    if "20000" in std:
        procs = sorted(rng.sample(PROC_20000, rng.randint(2, 4)), key=PROC_20000.index)
        scope = "信息系统运维服务所涉及的" + "、".join(p[0] for p in procs)
        scope_en = ", ".join(p[1] for p in procs).capitalize() + " of IT operation and maintenance services"
        proc_canon = [p[0] for p in procs]
    else:
        key = next(k for k in SCOPES if k in std)
        scope, scope_en = rng.choice(SCOPES[key])
        proc_canon = ["信息安全管理"] if key == "27001" else []
    printed = std
    if twin and rng.random() < 0.5:
        printed = f"{twin}/{std}"
    elif rng.random() < 0.3:
        printed = std.replace(":", "：")
    return {"std": std, "zh_sys": zh_sys, "en_sys": en_sys, "std_printed": printed, "org": org, "body": body,
            "number": number, "issue": issue, "expiry": expiry, "initial": initial, "scope": scope,
            "scope_en": scope_en, "procs": proc_canon,
            "p_addr": rng.random() < 0.8, "p_uscc": rng.random() < 0.4, "p_initial": rng.random() < 0.5,
            "p_cnas": rng.random() < 0.6, "p_iaf": rng.random() < 0.5, "p_cnca": rng.random() < 0.5,
            "p_clause": rng.random() < 0.7,
            "zh_style": rng.choice(["cn", "cn", "cn0", "iso", "dot"]),
            "en_style": rng.choice(["en_dmy", "en_mdy", "iso", "en_dmy_abbr"])}


def truth(v, org_name, address, scope, body_name, issue=True, cnca=None, cnas=False, iaf=False, uscc=True):
    """gen_certs.py's truth fields; what the layout does not print is None (uscc=False: a layout that
    never prints the credit code)."""
    return {
        "certificate_number": v["number"], "body_code": None, "organization_name": org_name,
        "unified_social_credit_code": v["org"]["uscc"] if v["p_uscc"] and uscc else None,
        "address": address, "standard": v["std"], "standard_printed": v["std_printed"],
        "supplementary_modules": [], "scope": scope,
        "scope_processes": list(v["procs"]) if scope is not None else [],
        "certification_body_name": body_name, "cnca_approval_number": cnca,
        "cnas_code": (v["body"]["cnas"] or f"CNAS C{v['body']['code']}-M") if cnas else None,
        "cnas_mark": bool(cnas), "iaf_mark": bool(iaf), "auditor_name": None,
        "auditor_qualification_number": None,
        "initial_issue_date": v["initial"].isoformat() if v["p_initial"] else None,
        "decision_date": None, "issue_date": v["issue"].isoformat() if issue else None,
        "expiry_date": v["expiry"].isoformat(), "surveillance_section": False, "surveillance_audits": [],
        "transition_notice": False,
    }


def marks(p, v, x, y):
    """CNAS mark with its code and the IAF mark; returns (cnas printed, iaf printed)."""
    code = v["body"]["cnas"] or f"CNAS C{v['body']['code']}-M"
    if v["p_cnas"]:
        p.mark(x, y, 24, 11, "CNAS", "中国认可 管理体系")
        p.text(x + 12, y + 15.5, code, 8, "c")
        x += 30
    if v["p_iaf"]:
        p.mark(x, y, 20, 11, "IAF", "MLA")
    return v["p_cnas"], v["p_iaf"]


def body_block(p, v, rng, x, y, en=False):
    """Body name (Chinese), approval number and seal; returns the CNCA number printed or None."""
    p.text(x, y, v["body"]["name"], 11, "c", True)
    cnca = None
    if v["p_cnca"]:
        p.text(x, y + 6, ("Approval No.: " if en else "批准号：") + v["body"]["cnca"], 8.5, "c")
        cnca = v["body"]["cnca"]
    p.seal(x + rng.uniform(-10, 10), y - rng.uniform(3, 9), rng.uniform(16, 19), v["body"]["name"])
    return cnca


def zh_foot(p, v, rng, yb):
    """The foot of a Chinese layout at `yb`: accreditation marks, the body's
    block; the page's true fields."""
    cn, iaf = marks(p, v, 24, yb)
    cnca = body_block(p, v, rng, 150, yb + 4)
    return truth(v, v["org"]["name"], v["org"]["addr"] if v["p_addr"] else None, v["scope"], v["body"]["name"],
                 cnca=cnca, cnas=cn, iaf=iaf)


def layout_en_first_columns(v, rng, fp):
    p = g.Page(fp, ink=rng.choice([g.INK, g.INK_BLUE]))
    g.border(p, rng)
    p.text(W / 2, 30, "CERTIFICATE", 24, "c", True)
    p.text(W / 2, 39, f"{v['en_sys']} 认证证书", 12, "c")
    xl, wl, xr = 22, 84, 116
    # left column: holder, address, standard, scope
    y = 56
    p.text(xl, y, "This is to certify that", 10.5)
    y = p.para(xl, y + 8, v["org"]["name_en"], 11.5, wl, bold=True)
    y = p.para(xl, y + 1, v["org"]["name"], 11.5, wl, bold=True)
    addr = None
    if v["p_addr"]:
        y = p.para(xl, y + 2, v["org"]["addr_en"], 9, wl)
        y = p.para(xl, y, v["org"]["addr"], 9, wl)
        addr = v["org"]["addr"]
    y = p.para(xl, y + 4, "has implemented and maintains a management system which fulfils the requirements of",
               9.5, wl)
    p.text(xl, y + 1, v["std_printed"], 12, "l", True)
    y += 10
    lab = rng.choice(["Scope of Certification 认证范围", "Scope 范围", "Certified Activities 认证覆盖的活动"])
    p.text(xl, y, lab, 9.5, "l", True)
    y = p.para(xl, y + 6, v["scope_en"], 9.5, wl)
    y = p.para(xl, y + 1, v["scope"], 9.5, wl)
    # right column: "Label English 中文" then the value on the next line
    rows = [("number", v["number"])]
    if v["p_initial"]:
        rows.append(("initial", en_date(v["initial"], v)))
    rows += [("issue", en_date(v["issue"], v)), ("expiry", en_date(v["expiry"], v))]
    if v["p_uscc"]:
        rows.append(("uscc", v["org"]["uscc"]))
    yr = 56
    for what, val in rows:
        if what == "uscc":
            lab = "Unified Social Credit Code 统一社会信用代码"
        else:
            lab = f"{rng.choice(EN[what])} {rng.choice(ZH[what])}"
        p.text(xr, yr, lab, 9, "l", True)
        p.text(xr, yr + 6, val, 11)
        yr += 15
    yb = max(y, yr) + 10
    if v["p_clause"]:
        yb = p.para(xl, yb, rng.choice(CLAUSES_EN), 8.5, W - 44) + 2
    yb = max(yb + 6, 250)
    cn, iaf = marks(p, v, 24, yb)
    cnca = body_block(p, v, rng, 150, yb + 4, en=True)
    # SPEC 4: the scope is the Chinese text, also on English-first certificates.
    f = truth(v, v["org"]["name"], addr, v["scope"], v["body"]["name"], cnca=cnca, cnas=cn, iaf=iaf)
    return p, f


def layout_labels_above(v, rng, fp):
    p = g.Page(fp, ink=rng.choice([g.INK, g.INK_BROWN]))
    g.border(p, rng)
    p.text(W / 2, 32, f"{v['zh_sys']}认证证书", 22, "c", True)
    x, wv = 30, W - 60
    y = 52
    rows = [("number", v["number"]), ("org", v["org"]["name"])]
    if v["p_uscc"]:
        rows.append(("uscc", v["org"]["uscc"]))
    if v["p_addr"]:
        rows.append(("addr", v["org"]["addr"]))
    rows += [("std", v["std_printed"]), ("scope", v["scope"])]
    if v["p_initial"]:
        rows.append(("initial", zh_date(v["initial"], v)))
    rows += [("issue", zh_date(v["issue"], v)), ("expiry", zh_date(v["expiry"], v))]
    colon = rng.choice(["", "：", ":"])
    for what, val in rows:
        lab = "统一社会信用代码" if what == "uscc" else rng.choice(ZH[what])
        p.text(x, y, lab + colon, 10, "l", True, (90, 90, 90))
        y = p.para(x + 4, y + 7, val, 12, wv - 4, bold=what == "org") + 3
    if v["p_clause"]:
        y = p.para(x, y + 2, rng.choice(CLAUSES_ZH), 8.5, wv)
    yb = max(y + 8, 252)
    return p, zh_foot(p, v, rng, yb)


def layout_two_column(v, rng, fp):
    p = g.Page(fp, ink=rng.choice([g.INK, g.INK_BLUE]))
    g.border(p, rng)
    p.text(W / 2, 30, f"{v['zh_sys']}认证证书", 21, "c", True)
    p.text(W / 2, 38, f"{v['en_sys']} Certificate", 10, "c")
    xl, wl, xr = 22, 88, 118
    y = 54
    lab = rng.choice(ZH["org"])
    p.text(xl, y, lab + "：", 10.5, "l", True)
    y = p.para(xl, y + 7, v["org"]["name"], 12, wl, bold=True) + 2
    if v["p_addr"]:
        p.text(xl, y, rng.choice(ZH["addr"]) + "：", 10.5, "l", True)
        y = p.para(xl, y + 7, v["org"]["addr"], 10, wl) + 2
    p.text(xl, y, rng.choice(ZH["scope"]) + "：", 10.5, "l", True)
    y = p.para(xl, y + 7, v["scope"], 10, wl) + 2
    yr = 54
    rows = [("number", v["number"]), ("std", v["std_printed"])]
    if v["p_initial"]:
        rows.append(("initial", zh_date(v["initial"], v)))
    rows += [("issue", zh_date(v["issue"], v)), ("expiry", zh_date(v["expiry"], v))]
    if v["p_uscc"]:
        rows.append(("uscc", v["org"]["uscc"]))
    for what, val in rows:
        lab = "统一社会信用代码" if what == "uscc" else rng.choice(ZH[what])
        p.text(xr, yr, f"{lab}：{val}", 10)
        yr += 9
    yb = max(y, yr) + 8
    if v["p_clause"]:
        yb = p.para(xl, yb, rng.choice(CLAUSES_ZH), 8.5, W - 44)
    yb = max(yb + 8, 252)
    return p, zh_foot(p, v, rng, yb)


def layout_prose_en(v, rng, fp):
    p = g.Page(fp, ink=g.INK)
    g.border(p, rng)
    p.text(W / 2, 34, "CERTIFICATE OF REGISTRATION", 20, "c", True)
    y = 52
    p.text(W / 2, y, "This is to certify that the Management System of", 11.5, "c")
    zh_name = rng.random() < 0.5
    y = p.para(25, y + 11, v["org"]["name_en"], 15, W - 50, "c", bold=True)
    if zh_name:
        y = p.para(25, y, v["org"]["name"], 13, W - 50, "c", bold=True)
    addr = None
    if v["p_addr"]:
        y = p.para(25, y + 1, v["org"]["addr_en"], 10, W - 50, "c")
        addr = v["org"]["addr_en"]
    y = p.para(25, y + 5, "has been assessed and found to conform to the requirements of", 11, W - 50, "c")
    p.text(W / 2, y + 3, v["std_printed"], 15, "c", True)
    y += 14
    y = p.para(25, y, rng.choice(["for the following scope:", "for the following activities:",
                                  "This certificate is applicable to:"]), 11, W - 50, "c")
    y = p.para(28, y + 2, v["scope_en"], 12, W - 56, "c") + 6
    lab = rng.choice(EN["number"])
    p.text(W / 2, y, f"{lab}: {v['number']}", 11, "c")
    y += 8
    if v["p_initial"]:
        p.text(W / 2, y, f"{rng.choice(EN['initial'])}: {en_date(v['initial'], v)}", 10.5, "c")
        y += 7
    d1, d2 = en_date(v["issue"], v), en_date(v["expiry"], v)
    rng_txt = rng.choice([f"This certificate is valid from {d1} until {d2}", f"Valid from {d1} until {d2}",
                          f"Period of validity: {d1} to {d2}", f"Validity: {d1} - {d2}"])
    p.text(W / 2, y, rng_txt, 10.5, "c")
    y += 8
    if v["p_clause"]:
        y = p.para(25, y + 2, rng.choice(CLAUSES_EN), 9, W - 50, "c")
    yb = max(y + 8, 250)
    cn, iaf = marks(p, v, 24, yb)
    p.text(150, yb + 2, "For and on behalf of", 9, "c")
    cnca = body_block(p, v, rng, 150, yb + 9, en=True)
    org = v["org"]["name"] if zh_name else v["org"]["name_en"]
    f = truth(v, org, addr, v["scope_en"], v["body"]["name"], cnca=cnca, cnas=cn, iaf=iaf, uscc=False)
    return p, f


def layout_prose_zh(v, rng, fp):
    p = g.Page(fp, ink=rng.choice([g.INK, g.INK_BROWN]))
    g.border(p, rng)
    p.text(W / 2, 34, "认 证 证 书", 24, "c", True)
    y = 52
    p.text(W / 2, y, f"证书号：{v['number']}", 11, "c")
    y += 14
    p.text(28, y, rng.choice(["兹证明", "兹证明："]), 13)
    y = p.para(28, y + 10, v["org"]["name"], 16, W - 56, "c", bold=True) + 1
    if v["p_uscc"]:
        p.text(W / 2, y, f"（统一社会信用代码：{v['org']['uscc']}）", 10, "c")
        y += 7
    if v["p_addr"]:
        y = p.para(28, y, "地址：" + v["org"]["addr"], 10.5, W - 56, "c") + 1
    y = p.para(28, y + 3, f"建立的{v['zh_sys']}符合标准", 12, W - 56, "c")
    p.text(W / 2, y + 3, v["std_printed"], 14, "c", True)
    y += 14
    y = p.para(28, y, rng.choice(["认证范围：", "认证覆盖的业务范围：", "适用于："]) + v["scope"], 12, W - 56) + 5
    d1, d2 = zh_date(v["issue"], v), zh_date(v["expiry"], v)
    p.text(28, y, rng.choice([f"有效期：{d1}至{d2}", f"证书有效期：{d1} 至 {d2}", f"有效期限：自{d1}起至{d2}止"]), 11)
    y += 8
    if v["p_initial"]:
        p.text(28, y, f"{rng.choice(ZH['initial'])}：{zh_date(v['initial'], v)}", 11)
        y += 8
    if v["p_clause"]:
        y = p.para(28, y + 2, rng.choice(CLAUSES_ZH), 9, W - 56)
    yb = max(y + 8, 252)
    return p, zh_foot(p, v, rng, yb)


def layout_grid_en(v, rng, fp):
    p = g.Page(fp, ink=g.INK)
    g.border(p, rng)
    p.text(W / 2, 32, "Certificate", 24, "c", True)
    p.text(W / 2, 41, v["en_sys"], 12, "c")
    x0, x1, x2 = 22, 72, W - 22
    d1, d2 = en_date(v["issue"], v), en_date(v["expiry"], v)
    rows = [(rng.choice(EN["number"]), v["number"]), (rng.choice(EN["org"]), v["org"]["name_en"])]
    if v["p_addr"]:
        rows.append((rng.choice(EN["addr"]), v["org"]["addr_en"]))
    rows += [(rng.choice(EN["std"]), v["std_printed"]), (rng.choice(EN["scope"]), v["scope_en"])]
    if v["p_initial"]:
        rows.append((rng.choice(EN["initial"]), en_date(v["initial"], v)))
    rows.append((rng.choice(["Validity", "Period of Validity", "Valid"]), f"{d1} to {d2}" if rng.random() < 0.5
                 else f"from {d1} until {d2}"))
    y = 54
    ytop = y
    lh = 11 / g.MM_PT * 1.45
    for lab, val in rows:
        lines = g.wrap(val, 11, x2 - x1 - 4, fp)
        p.text(x0 + 2, y + 5.8, lab, 10, "l", True)
        yy = y + 5.8
        for ln in lines:
            p.text(x1 + 2.5, yy, ln, 11)
            yy += lh
        y += max(1, len(lines)) * lh + 3.5
        p.line(x0, y, x2, y, 0.35)
    p.rect(x0, ytop, x2 - x0, y - ytop, 0.7)
    p.line(x1, ytop, x1, y, 0.35)
    if v["p_clause"]:
        y = p.para(x0, y + 8, rng.choice(CLAUSES_EN), 9, x2 - x0)
    yb = max(y + 10, 250)
    cn, iaf = marks(p, v, 24, yb)
    p.text(150, yb + 2, rng.choice(EN["body"]) + ":", 9, "c")
    cnca = body_block(p, v, rng, 150, yb + 9, en=True)
    f = truth(v, v["org"]["name_en"], v["org"]["addr_en"] if v["p_addr"] else None, v["scope_en"],
              v["body"]["name"], cnca=cnca, cnas=cn, iaf=iaf, uscc=False)
    return p, f


BUILD = {"en_first_columns": layout_en_first_columns, "labels_above": layout_labels_above,
         "two_column": layout_two_column, "prose_en": layout_prose_en, "prose_zh": layout_prose_zh,
         "grid_en": layout_grid_en}


def one(args):
    out, seed, i = args
    out = Path(out)
    layout = LAYOUTS[i % len(LAYOUTS)]
    tier = ["text_layer", "clean", "web"][(i // len(LAYOUTS)) % 3]
    rng = g.sub_rng(seed, f"newlayouts-{i}")
    std = STD_NAMES[(i * 5 + i // len(LAYOUTS)) % len(STD_NAMES)]
    v = make_values(rng, std)
    extra = {"standard_set": std}
    if tier == "text_layer":
        font = g.rng_choice_ttf(rng)
        fp = g.pdf_raster_path(font)
        page, fields = BUILD[layout](v, rng, fp)
        name = f"nl_{i:03d}_{layout}_{tier}.pdf"
        g.write_pdf(str(out / name), [page], ["text"], font)
        extra["pdf_font"] = font
    else:
        fp = rng.choice(g.FONTS)
        page, fields = BUILD[layout](v, rng, fp)
        if tier == "clean":
            dpi = rng.choice([200, 250, 300])
            name = f"nl_{i:03d}_{layout}_{tier}.png"
            g.save_image(g.render_page(page, dpi, fp), out / name, "PNG", dpi=dpi)
            extra["dpi"] = dpi
        else:  # a web-sized copy: a 200-dpi scan scaled down to 450-700 px wide
            img = g.render_page(page, 200, fp)
            w = rng.randint(450, 700)
            img = img.resize((w, round(img.height * w / img.width)), Image.LANCZOS)
            name = f"nl_{i:03d}_{layout}_{tier}.jpg"
            g.save_image(img, out / name, "JPEG", quality=rng.randint(70, 90), dpi=72)
            extra["width_px"] = w
        extra["font"] = Path(fp).name
    kind = {"text_layer": "pdf_text", "clean": "png", "web": "jpeg"}[tier]
    return g.record(name, kind, "certificate", None, tier == "web", tier, layout, [g.cert_entry([1], fields)],
                    **extra)


def preset(out, seed, count, jobs):
    args = [(str(out), seed, i) for i in range(count)]
    if jobs > 1 and count > 4:
        with g.Pool(jobs) as pool:
            return list(pool.imap(one, args, chunksize=2))
    return [one(a) for a in args]
