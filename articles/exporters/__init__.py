"""Exporters: IPTC ninjs 3.1 (``ninjs``), the JSON Lines backup (``jsonl``) and a web
archive of the rendered public pages (``warc``). Each streams: articles are read in
chunks and written one at a time."""
