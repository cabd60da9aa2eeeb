"""Create the newsroom's permission groups.

Contributors write and edit drafts and upload photos; Editors may also publish and
withdraw, add corrections and change sites' commenting settings.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTRIBUTOR = [
    "add_article", "change_article", "view_article",
    "add_author", "change_author", "view_author",
    "add_image", "change_image", "view_image",
    "add_byline", "change_byline", "delete_byline", "view_byline",
    "add_articleimage", "change_articleimage", "delete_articleimage", "view_articleimage",
    "view_section", "view_tag", "add_tag", "view_correction", "view_revision",
]  # fmt: skip
EDITOR = CONTRIBUTOR + [
    "publish_article",
    "add_correction", "change_correction", "view_correction",
    "add_section", "change_section",
    "change_tag", "delete_tag",
    "view_sitesettings", "change_sitesettings",
]  # fmt: skip


def create_groups(apps, schema_editor):
    # Permissions are normally made after migrations; make this app's now so the groups
    # can be given them on a fresh database.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Contributor", CONTRIBUTOR), ("Editor", EDITOR)):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=set(codenames))
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Contributor", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_seed_default_site"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
