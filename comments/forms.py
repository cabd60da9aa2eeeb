"""The comment form on article pages.

The article page is cached whole and shared by every reader, so the form carries no
per-reader CSRF token. Instead the endpoint checks that the browser posted from this site
(``Origin``/``Referer``), and the form carries a signed token naming the article and the
moment the page was made: a tampered token, one for another article, or one older than
``TOKEN_MAX_AGE`` is refused; a form sent back faster than a person types is held for
moderation. A hidden honeypot field catches form-filling robots.
"""

import time

from django import forms
from django.core import signing

SALT = "comments.form"
TOKEN_MAX_AGE = 2 * 60 * 60  # seconds: a page cached for an hour still leaves an hour to write


def form_token(article_id: int) -> str:
    return signing.dumps({"a": article_id, "t": int(time.time())}, salt=SALT, compress=True)


class CommentForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=80)
    email = forms.EmailField(label="E-mail (optional, never shown)", required=False, max_length=254)
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 6}), max_length=3000)
    website = forms.CharField(label="Leave this field empty", required=False)  # honeypot
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, article_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.article_id = article_id
        if not self.is_bound:
            self.fields["token"].initial = form_token(article_id)
        self.filled_in_seconds: float | None = None

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("Your comment could not be accepted.")
        return ""

    def clean_token(self):
        try:
            data = signing.loads(self.cleaned_data["token"], salt=SALT, max_age=TOKEN_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError("This form has expired: reload the page and post again.") from None
        except signing.BadSignature:
            raise forms.ValidationError("Your comment could not be accepted.") from None
        if not isinstance(data, dict) or data.get("a") != self.article_id or not isinstance(data.get("t"), int):
            raise forms.ValidationError("Your comment could not be accepted.")
        self.filled_in_seconds = time.time() - data["t"]
        if self.filled_in_seconds > TOKEN_MAX_AGE:
            raise forms.ValidationError("This form has expired: reload the page and post again.")
        return self.cleaned_data["token"]
