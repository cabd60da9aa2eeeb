"""Article.source_key: the identity of an imported source (its URL, or a content hash for a
text capture), so that importing the same source again updates its article."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_image_renditions")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="source_key",
            field=models.CharField(
                blank=True,
                db_index=True,
                editable=False,
                help_text=(
                    "Identity of the imported source (its URL, or a content hash): re-imports update this article."
                ),
                max_length=200,
                verbose_name="import source",
            ),
        ),
    ]
