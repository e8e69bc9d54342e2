"""The archive: every raw API exchange as WARC 1.1 files with a sha256-chained manifest,
edits and deletions kept, retention with legal holds, and FoI search and export."""
