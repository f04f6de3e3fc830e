"""Demo synonyms and the search index for `seed_demo` (runs last)."""

from .models import SynonymGroup

DEMO_SYNONYMS = [
    "身份证 = 居民身份证 = 二代证",
    "营业执照 = 企业登记 = 工商执照 = 市场主体登记",
    "饭店 = 餐馆 = 餐饮 = 饭馆",
    "桌球 = 台球",
    "丢 = 遗失 = 补领 = 补办 = 挂失",
    "驾照 = 驾驶证",
    "户口 = 户籍",
    "社保 = 社会保险 = 社会保障",
    "医保 = 医疗保险",
    "房产证 = 不动产权证书 = 不动产登记",
    "网咖 = 网吧",
    "公司 = 企业",
    "生孩子 = 生育 = 出生",
    "退休 = 养老",
    "准生证 = 生育登记",
    # English keywords, for the English interface's search box ("e.g. business licence").
    "营业 = business",
    "执照 = licence = license",
]


def seed(stdout=None, small=False):
    from . import indexing

    for terms in DEMO_SYNONYMS:
        group = SynonymGroup(terms=terms, note="演示数据")
        group.clean()
        SynonymGroup.objects.get_or_create(terms=group.terms, defaults={"note": group.note})
    result = indexing.rebuild()
    if stdout:
        stdout.write(
            f"search: {SynonymGroup.objects.count()} synonym groups, index rebuilt ({result['indexed']} documents)"
        )
