"""Deterministic archive content at scale for ``manage.py generate_archive``.

``plan`` splits the timeline into batches, ``setup`` makes the shared rows (sites, authors,
sections, tags, pictures), ``text`` writes the copy, ``batch`` turns one batch into rows
(with revision snapshots in ``article_snapshot``'s format) and ``load`` stores them.
"""
