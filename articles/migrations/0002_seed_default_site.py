"""Name the default Site after this newsroom and give every site its settings row."""

from django.db import migrations


def seed_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    SiteSettings = apps.get_model("articles", "SiteSettings")
    site, _created = Site.objects.get_or_create(pk=1, defaults={"domain": "localhost", "name": "Newsroom"})
    if site.domain == "example.com":
        site.domain, site.name = "localhost", "Newsroom"
        site.save()
    for each in Site.objects.all():
        SiteSettings.objects.get_or_create(site=each, defaults={"publisher_name": each.name})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(seed_site, migrations.RunPython.noop)]
