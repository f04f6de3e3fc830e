"""Relevance set: everyday queries against the demo catalog and the names that must be in the top 10.

Each entry: (query, [acceptable result titles], kind of query). A query counts as found for an
expected title when a result with that title is in the first 10 (centers are ignored: the small
demo site has each item in two centers). Used by tests/search/test_relevance.py and by
bench/bench_search_relevance.py.
"""

RELEVANCE = [
    # Names and partial names
    ("居民身份证", ["居民身份证办理（补领）", "居民身份证办理（首次申领）"], "name"),
    ("营业执照", ["企业设立登记（有限责任公司）", "个体工商户登记（设立）"], "name"),
    ("食品经营许可", ["食品经营许可（新办）"], "name"),
    ("公积金提取", ["住房公积金提取（购房）", "住房公积金提取（租房）"], "partial"),
    ("婚姻登记", ["婚姻登记（结婚登记）"], "name"),
    ("出生登记", ["出生登记"], "name"),
    ("户口迁移", ["户口迁移（购房落户）"], "name"),
    ("不动产登记", ["不动产登记（转移登记）", "不动产登记（首次登记）"], "name"),
    ("异地就医", ["异地就医备案"], "partial"),
    ("施工许可", ["建筑工程施工许可（核发）"], "partial"),
    ("港澳通行证", ["往来港澳通行证办理（首次申请）"], "partial"),
    ("社保卡", ["社会保障卡业务（申领）", "社会保障卡业务（补换卡）"], "partial"),
    ("驾驶证", ["机动车驾驶证业务（期满换证）"], "partial"),
    ("排污许可", ["排污许可（新办）"], "name"),
    ("环评", ["建设项目环境影响评价审批（报告书）"], "partial"),
    ("消防验收", ["建设工程消防验收"], "partial"),
    ("旅行社", ["旅行社设立许可（新办）"], "partial"),
    ("药店", ["药品零售企业许可（新办）"], "colloquial"),
    ("低保", ["最低生活保障审核确认"], "colloquial"),
    ("失业金", ["失业保险金申领"], "colloquial"),
    ("个税", ["个人所得税综合所得汇算清缴"], "colloquial"),
    ("发票", ["发票领用"], "partial"),
    ("公租房", ["公共租赁住房申请"], "colloquial"),
    ("网吧", ["网吧（互联网上网服务营业场所）经营许可（新办）"], "partial"),
    ("电梯登记", ["特种设备使用登记（电梯）"], "partial"),
    ("医师注册", ["医师执业注册（首次注册）"], "partial"),
    ("慢性病", ["门诊慢特病待遇认定"], "colloquial"),
    ("高龄补贴", ["高龄津贴申领"], "colloquial"),
    ("商品房预售", ["商品房预售许可"], "partial"),
    ("临时身份证", ["临时居民身份证办理"], "partial"),
    # Colloquial phrasings
    ("身份证丢了怎么办", ["居民身份证办理（补领）"], "colloquial"),
    ("开饭店要什么证", ["食品经营许可（新办）", "开办餐饮店"], "colloquial"),
    ("开 桌球室 要 什么 手续", ["开办台球室", "娱乐场所经营活动审批（新办）"], "multi"),
    ("开台球室", ["开办台球室"], "colloquial"),
    ("怎么提取公积金", ["住房公积金提取（购房）", "住房公积金提取（租房）"], "colloquial"),
    ("生孩子报户口", ["出生登记", "新生儿出生"], "colloquial"),
    ("想开个网咖", ["网吧（互联网上网服务营业场所）经营许可（新办）"], "colloquial"),
    ("怎么领结婚证", ["婚姻登记（结婚登记）"], "colloquial"),
    ("驾照丢了", ["机动车驾驶证业务（遗失补证）"], "colloquial"),
    ("驾照到期换证", ["机动车驾驶证业务（期满换证）"], "colloquial"),
    ("买房后落户", ["户口迁移（购房落户）", "购房落户"], "colloquial"),
    ("房产证过户", ["不动产登记（转移登记）"], "colloquial"),
    ("开诊所需要什么手续", ["医疗机构执业登记（新办）"], "colloquial"),
    ("注册公司", ["企业设立登记（有限责任公司）"], "colloquial"),
    ("个体户开店", ["个体工商户登记（设立）"], "colloquial"),
    ("去香港办证", ["往来港澳通行证办理（首次申请）"], "colloquial"),
    ("租房提取公积金", ["住房公积金提取（租房）"], "multi"),
    ("公司注销", ["企业注销登记"], "colloquial"),
    ("新生儿医保", ["城乡居民基本医疗保险参保登记", "新生儿出生"], "multi"),
    ("办准生证", ["生育登记"], "colloquial"),
    ("开KTV", ["娱乐场所经营活动审批（新办）"], "colloquial"),
    ("网约车资格证", ["出租汽车驾驶员从业资格证核发"], "colloquial"),
    ("公积金贷款买房", ["住房公积金个人住房贷款"], "multi"),
    ("查房产信息", ["不动产登记资料查询"], "colloquial"),
    # Pinyin: full and initials
    ("yyzz", ["企业设立登记（有限责任公司）", "个体工商户登记（设立）"], "pinyin"),
    ("sfz", ["居民身份证办理（补领）", "居民身份证办理（首次申领）"], "pinyin"),
    ("yingyezhizhao", ["企业设立登记（有限责任公司）", "个体工商户登记（设立）"], "pinyin"),
    ("gjj", ["住房公积金提取（购房）"], "pinyin"),
    ("shebaoka", ["社会保障卡业务（申领）"], "pinyin"),
    ("hunyindengji", ["婚姻登记（结婚登记）"], "pinyin"),
    ("dibao", ["最低生活保障审核确认"], "pinyin"),
    # Homophone typos
    ("营业值照", ["企业设立登记（有限责任公司）", "个体工商户登记（设立）"], "typo"),
    ("身分证", ["居民身份证办理（补领）"], "typo"),
    ("公积今提取", ["住房公积金提取（购房）"], "typo"),
    ("婚姻登计", ["婚姻登记（结婚登记）"], "typo"),
    ("失业保险今", ["失业保险金申领"], "typo"),
    ("食品经营许刻", ["食品经营许可（新办）"], "typo"),
    # Multi-word needs
    ("餐饮 消防 检查", ["公众聚集场所投入使用、营业前消防安全检查"], "multi"),
    ("公共场所 卫生许可 理发店", ["公共场所卫生许可（新办）"], "multi"),
    ("营业执照 变更 地址", ["企业变更登记（住所变更）"], "multi"),
    ("养老保险 参保", ["城乡居民养老保险参保登记"], "multi"),
]


def found(expected, titles):
    """Share of expected titles among `titles` (the top 10 result titles)."""
    hits = sum(1 for title in expected if title in titles)
    return hits / len(expected)


def reciprocal_rank(expected, titles):
    for rank, title in enumerate(titles, start=1):
        if title in expected:
            return 1.0 / rank
    return 0.0


def evaluate(search_titles):
    """Run every query through `search_titles(query) -> [titles in rank order]`.

    Returns (recall@10, MRR, [(query, recall, rr, top titles)]).
    """
    rows = []
    for query, expected, _kind in RELEVANCE:
        titles = search_titles(query)[:10]
        rows.append((query, found(expected, titles), reciprocal_rank(expected, titles), titles))
    recall = sum(r[1] for r in rows) / len(rows)
    mrr = sum(r[2] for r in rows) / len(rows)
    return recall, mrr, rows
