"""Name the default Site after this newsroom and give every site its settings row."""

from django.core.management.color import no_style
from django.db import migrations


def seed_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    SiteSettings = apps.get_model("articles", "SiteSettings")
    site, _created = Site.objects.get_or_create(pk=1, defaults={"domain": "localhost", "name": "Newsroom"})
    if site.domain == "example.com":
        site.domain, site.name = "localhost", "Newsroom"
        site.save()
    # The row was inserted with an explicit id: move PostgreSQL's sequence past it.
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [Site]):
        schema_editor.execute(sql)
    for each in Site.objects.all():
        SiteSettings.objects.get_or_create(site=each, defaults={"publisher_name": each.name})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(seed_site, migrations.RunPython.noop)]
