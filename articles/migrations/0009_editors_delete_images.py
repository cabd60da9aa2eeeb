"""Editors may delete images that no article uses (articles keep theirs: PROTECT)."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    permission = Permission.objects.filter(content_type__app_label="articles", codename="delete_image").first()
    if editor is not None and permission is not None:
        editor.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    permission = Permission.objects.filter(content_type__app_label="articles", codename="delete_image").first()
    if editor is not None and permission is not None:
        editor.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_article_source_key")]

    operations = [migrations.RunPython(grant, revoke)]
