"""``manage.py ensure_admin``: make sure there is an admin login, and say what it is.

* ``DJANGO_SUPERUSER_PASSWORD`` set: create or update the superuser
  ``DJANGO_SUPERUSER_USERNAME`` (default "admin") with that password, staff and superuser
  flags on (and ``DJANGO_SUPERUSER_EMAIL`` if given). The password is never printed.
* Otherwise: if that user does not exist, create it with a random password and print it
  once; if it exists, leave it alone and say how to reset its password.

Safe to run on every start (``make run`` does).
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

DEFAULT_USERNAME = "admin"


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


class Command(BaseCommand):
    help = (
        "Ensure a superuser exists: from DJANGO_SUPERUSER_USERNAME / DJANGO_SUPERUSER_PASSWORD when set, "
        "else an 'admin' user with a random password (printed once). Never changes an existing password "
        "unless DJANGO_SUPERUSER_PASSWORD is set."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        username = _env("DJANGO_SUPERUSER_USERNAME") or DEFAULT_USERNAME
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        email = _env("DJANGO_SUPERUSER_EMAIL")
        lookup = {User.USERNAME_FIELD: username}

        if password:
            user = User.objects.filter(**lookup).first()
            created = user is None
            if created:
                user = User(**lookup)
            user.is_staff = user.is_superuser = user.is_active = True
            if email:
                user.email = email
            user.set_password(password)
            user.save()
            what = "created" if created else "updated"
            self.stdout.write(f"Superuser {username} {what}.")
            self.stdout.write(self.style.SUCCESS(f"Admin login: {username} (password from DJANGO_SUPERUSER_PASSWORD)"))
            return

        user = User.objects.filter(**lookup).first()
        if user is None:
            password = secrets.token_urlsafe(16)
            extra = {} if User.USERNAME_FIELD == "email" else {"email": email}
            User.objects.create_superuser(**lookup, **extra, password=password)
            self.stdout.write(
                self.style.SUCCESS(f"Admin login: {username} / {password} (new superuser; this password is shown once)")
            )
            return

        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login: {username} already exists; its password was not changed. "
                f"To reset it: python manage.py changepassword {username}"
            )
        )
        if not (user.is_staff and user.is_superuser and user.is_active):
            self.stdout.write(
                self.style.WARNING(
                    f"Note: {username} is not an active superuser. Set DJANGO_SUPERUSER_USERNAME and "
                    "DJANGO_SUPERUSER_PASSWORD to make it one."
                )
            )
