from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Page cache invalidation only (STYLE.md 3): domain rules never live in signals.
        from . import signals

        signals.connect()
