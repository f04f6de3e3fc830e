from django.db import migrations, models


def fill_pinyin(apps, schema_editor):
    """Existing items get their A–Z keys (new saves fill them in GuidePage.save)."""
    from guides.pinyin import pinyin_keys

    GuidePage = apps.get_model("guides", "GuidePage")
    batch = []
    for page in GuidePage.objects.only("pk", "title").iterator(chunk_size=500):
        page.pinyin_initial, page.pinyin = pinyin_keys(page.title)
        batch.append(page)
        if len(batch) >= 500:
            GuidePage.objects.bulk_update(batch, ["pinyin_initial", "pinyin"])
            batch = []
    if batch:
        GuidePage.objects.bulk_update(batch, ["pinyin_initial", "pinyin"])


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="guidepage",
            name="featured",
            field=models.BooleanField(default=False, help_text="勾选后在首页“常办事项”中展示", verbose_name="常办事项"),
        ),
        migrations.AddField(
            model_name="guidepage",
            name="pinyin",
            field=models.CharField(blank=True, editable=False, max_length=255, verbose_name="拼音"),
        ),
        migrations.AddField(
            model_name="guidepage",
            name="pinyin_initial",
            field=models.CharField(
                blank=True, db_index=True, editable=False, max_length=1, verbose_name="拼音首字母"
            ),
        ),
        migrations.RunPython(fill_pinyin, migrations.RunPython.noop),
    ]
