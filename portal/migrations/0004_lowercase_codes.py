"""Center and department codes in their one stored form, lower case (portal/codes.py).

Earlier `import_org` kept codes as written (C00), while the case import and the URLs used lower
case, so such centers could not be found. A code whose lower-case form is already taken is left
as it is (the import reports the clash when the file is imported again).
"""

from django.db import migrations


def lowercase_codes(apps, schema_editor):
    ServiceCenter = apps.get_model("portal", "ServiceCenter")
    Department = apps.get_model("portal", "Department")
    taken = set(ServiceCenter.objects.values_list("code", flat=True))
    for center in ServiceCenter.objects.all():
        lower = center.code.strip().lower()
        if lower != center.code and lower not in taken:
            taken.discard(center.code)
            taken.add(lower)
            ServiceCenter.objects.filter(pk=center.pk).update(code=lower)
    taken = set(Department.objects.values_list("center_id", "code"))
    for department in Department.objects.all():
        lower = department.code.strip().lower()
        if lower != department.code and (department.center_id, lower) not in taken:
            taken.discard((department.center_id, department.code))
            taken.add((department.center_id, lower))
            Department.objects.filter(pk=department.pk).update(code=lower)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_scheduler_heartbeat")]

    operations = [migrations.RunPython(lowercase_codes, migrations.RunPython.noop)]
