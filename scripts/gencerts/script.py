"""gencerts.script: simplified -> traditional (character map + phrase overrides, enough for our vocabulary)."""
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
