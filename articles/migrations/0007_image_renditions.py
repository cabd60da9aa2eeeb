"""Image.renditions: the list of resized copies made so far (width, height, format and
storage name of each), so pages and the API print their URLs without a query."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_sitesettings_comments_premoderated")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="renditions",
            field=models.JSONField(
                blank=True,
                default=list,
                editable=False,
                help_text="The resized copies made so far: width, height, format and storage name of each.",
                verbose_name="renditions",
            ),
        ),
    ]
