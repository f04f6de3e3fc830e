"""Demo organisation and site skeleton for `manage.py seed_demo` (idempotent)."""

from django.conf import settings as django_settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from . import public_url
from .models import Department, HomePage, PortalSettings, ServiceCenter

CITY = "city"
CENTERS = [
    # code, name, level, address, phone
    (CITY, "临江市政务服务中心", ServiceCenter.LEVEL_CITY, "临江市滨江大道 88 号", "0571-12345"),
    ("dongcheng", "东城区政务服务中心", ServiceCenter.LEVEL_DISTRICT, "东城区人民路 10 号", "0571-81230001"),
    ("xicheng", "西城区政务服务中心", ServiceCenter.LEVEL_DISTRICT, "西城区文化路 22 号", "0571-81230002"),
    ("nanhu", "南湖区政务服务中心", ServiceCenter.LEVEL_DISTRICT, "南湖区湖滨路 5 号", "0571-81230003"),
    ("beishan", "北山县政务服务中心", ServiceCenter.LEVEL_COUNTY, "北山县城关镇府前街 1 号", "0571-81230004"),
    ("qinghe", "清河县政务服务中心", ServiceCenter.LEVEL_COUNTY, "清河县清河镇长安路 18 号", "0571-81230005"),
    ("yunxi", "云溪县政务服务中心", ServiceCenter.LEVEL_COUNTY, "云溪县云溪镇新华路 66 号", "0571-81230006"),
    ("shimen", "石门县政务服务中心", ServiceCenter.LEVEL_COUNTY, "石门县石门镇解放路 3 号", "0571-81230007"),
]
CITY_DEPARTMENTS = [
    ("scjg", "市场监督管理局"),
    ("gaj", "公安局"),
    ("rsj", "人力资源和社会保障局"),
    ("wjw", "卫生健康委员会"),
    ("wgl", "文化广电旅游局"),
    ("xf", "消防救援支队"),
    ("zrzy", "自然资源和规划局"),
    ("zjj", "住房和城乡建设局"),
    ("sw", "税务局"),
    ("mz", "民政局"),
    ("jt", "交通运输局"),
    ("sthj", "生态环境局"),
    ("yb", "医疗保障局"),
    ("bdc", "不动产登记中心"),
    ("gjj", "住房公积金管理中心"),
]
COUNTY_DEPARTMENTS = ["scjg", "gaj", "rsj", "wjw", "wgl", "xf", "mz", "bdc"]
HOURS = "周一至周五 9:00—12:00，13:30—17:00（法定节假日除外）"


@transaction.atomic
def seed_org():
    """Centers and departments: a city center, seven county/district centers, 79 departments."""
    names = dict(CITY_DEPARTMENTS)
    centers = {}
    for order, (code, name, level, address, phone) in enumerate(CENTERS):
        center, _ = ServiceCenter.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "address": address,
                "phone": phone,
                "hours": HOURS,
                "sort_order": order,
                "parent": None if code == CITY else centers[CITY],
            },
        )
        centers[code] = center
        department_codes = [code for code, _ in CITY_DEPARTMENTS] if code == CITY else COUNTY_DEPARTMENTS
        for department_code in department_codes:
            Department.objects.update_or_create(
                center=center, code=department_code, defaults={"name": names[department_code]}
            )
    return centers


@transaction.atomic
def seed_site():
    """The home page as the default site's root, with site settings filled in."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(django_settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has no tree at all
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    home = HomePage.objects.first()
    if home is None:
        # Replace Wagtail's placeholder welcome page.
        for page in root.get_children().exclude(content_type__model="homepage"):
            if page.specific_class is Page:
                page.delete()
        home = root.add_child(
            instance=HomePage(title="首页", slug="home", intro="一站式查询办事指南、收费标准和中心运行情况。")
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(root_page=home, is_default_site=True, site_name="临江市政务服务中心")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "临江市政务服务中心"
    public_url.apply_to_site(site)  # links use WAGTAILADMIN_BASE_URL (make run: its own port)
    site.save()
    settings = PortalSettings.for_site(site)
    settings.center_name = "临江市政务服务中心"
    settings.address = "临江市滨江大道 88 号"
    settings.opening_hours = HOURS
    settings.hotline = "0571-12345"
    settings.complaint_phone = "12345"
    settings.filing_number = "临ICP备00000000号（演示）"
    settings.save()
    return home


def seed(stdout=None, small=False):
    centers = seed_org()
    home = seed_site()
    if stdout:
        stdout.write(
            f"portal: {len(centers)} centers, {Department.objects.count()} departments, home page {home.url_path}"
        )
    return home
