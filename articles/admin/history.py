"""An article's revisions in the admin: the history list, a side-by-side diff of any two
revisions, and restore (which records a new revision; history is never rewritten)."""

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from .. import services
from ..html import body_text

# The parts of a snapshot compared, with how each is turned into lines of text.
COMPARED = (
    ("Headline", lambda s: [s["headline"]]),
    ("Slug", lambda s: [s["slug"]]),
    ("Dek", lambda s: [s["dek"]]),
    ("Dateline", lambda s: [" ".join(v for v in s["dateline"].values() if v)]),
    ("Body", lambda s: _body_lines(s["body"])),
    ("Bylines", lambda s: [f"{b['credit_text'] or b['author_name']} ({b['role']})" for b in s["bylines"]]),
    ("Photos", lambda s: [f"{i['role']}: {i['caption']} — {i['credit']} [alt: {i['alt_text']}]" for i in s["images"]]),
    ("Tags", lambda s: list(s["tags"])),
    ("Section", lambda s: [s["section"] or ""]),
    ("Status", lambda s: [s["status"]]),
    ("Corrections", lambda s: [c["text"] for c in s.get("corrections", [])]),
)


def _body_lines(html: str) -> list[str]:
    """One line per paragraph of readable text (tags dropped), so diffs follow the prose."""
    blocks = html.replace("</p>", "</p>\n").replace("<br>", "\n").splitlines()
    return [text for text in (body_text(block) or strip_tags(block).strip() for block in blocks) if text]


def revision_diff(old: dict, new: dict) -> list[tuple[str, str]]:
    """``(part, html table)`` for each compared part that differs. difflib.HtmlDiff escapes
    the text, so headlines or captions containing markup are shown, never run."""
    differ = difflib.HtmlDiff(wrapcolumn=70)
    changes = []
    for label, lines in COMPARED:
        before, after = lines(old), lines(new)
        if before != after:
            table = differ.make_table(before, after, "Older", "Newer", context=label == "Body", numlines=1)
            changes.append((label, mark_safe(table)))  # noqa: S308 - HtmlDiff escapes its input
    return changes


class RevisionHistoryMixin:
    """Replace the admin's generic "History" page of an article with its revisions."""

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "<path:object_id>/revisions/<int:old>/<int:new>/",
                self.admin_site.admin_view(self.revision_diff_view),
                name=f"{prefix}_revision_diff",
            ),
            path(
                "<path:object_id>/revisions/<int:number>/restore/",
                self.admin_site.admin_view(require_POST(self.revision_restore_view)),
                name=f"{prefix}_revision_restore",
            ),
            *super().get_urls(),
        ]

    def _article(self, request, object_id):
        article = get_object_or_404(self.model, pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        article = self._article(request, object_id)
        revisions = list(article.revisions.select_related("user").defer("snapshot").order_by("-number"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revisions of “{article.headline}”",
            "opts": self.model._meta,
            "object": article,
            "revisions": revisions,
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def revision_diff_view(self, request, object_id, old, new):
        article = self._article(request, object_id)
        pair = {r.number: r for r in article.revisions.filter(number__in=[old, new])}
        if old not in pair or new not in pair:
            raise Http404("No such revision.")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revision {old} → {new} of “{article.headline}”",
            "opts": self.model._meta,
            "object": article,
            "old": pair[old],
            "new": pair[new],
            "changes": revision_diff(pair[old].snapshot, pair[new].snapshot),
        }
        return TemplateResponse(request, "admin/articles/article/revision_diff.html", context)

    def revision_restore_view(self, request, object_id, number):
        article = self._article(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        revision = get_object_or_404(article.revisions, number=number)
        try:
            services.article_restore(article=article, revision=revision, user=request.user)
        except ValidationError as error:
            self.message_user(request, "Not restored: " + " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                f"Revision {number} restored as revision {article.revisions.latest().number}.",
                messages.SUCCESS,
            )
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[article.pk]))
