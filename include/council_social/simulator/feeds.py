"""The simulated RSS 2.0, Atom and JSON Feed bodies under /feeds/{key}."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from council_social.simulator.channels_common import yt_time
from council_social.simulator.channels_content import num_id, posts_between


class FeedsApi:
    """Mixed into ChannelsApi, whose state (spec, now, token, lock...) it uses."""

    def _feed(self, key: str):
        s = self.source("feed", key)
        if s is None:
            return 404, {"content-type": "text/html; charset=utf-8"}, b"<h1>Not Found</h1>"
        now = self.now()
        posts = posts_between(self.seed, f"feed:{key}", now - timedelta(days=7), now, now,
                              rate=0.35, by_residents=True, locale=self.spec.locale)
        host = s.handle.split("/")[2] if "://" in s.handle else "example.org"
        if s.kind == "blog":
            return self._json(200, {
                "version": "https://jsonfeed.org/version/1.1", "title": s.name,
                "home_page_url": f"https://{host}/", "feed_url": s.handle, "language": "en-GB",
                "items": [{"id": f"https://{host}/{p.id}", "url": f"https://{host}/{p.id}",
                           "title": p.title, "content_text": p.text,
                           "date_published": yt_time(p.created),
                           "authors": [{"name": p.author.name}] if p.author else []}
                          for p in posts]}, {"content-type": "application/feed+json"})
        if s.kind == "alerts":
            entries = "".join(
                f"<entry><id>tag:google.com,2013:googlealerts/feed:{num_id(p.id, digits=19)}</id>"
                f"<title type=\"html\">{escape(f'<b>{self.spec.locale.council}</b> ' + p.title)}</title>"
                f"<link href=\"https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news."
                f"example.co.uk/{p.id}\"/><published>{yt_time(p.created)}</published>"
                f"<updated>{yt_time(p.created)}</updated>"
                f"<content type=\"html\">{escape(p.text)}</content><author><name></name></author>"
                f"</entry>" for p in posts)
            body = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/'
                    'Atom" xmlns:idx="urn:atom-extension:indexing"><id>tag:google.com,2005:reader/'
                    'user/00000000000000000000/state/com.google/alerts/1111111111111111111</id>'
                    f'<title>Google Alert - "{escape(self.spec.locale.council)}"</title><link href="{escape(s.handle)}"'
                    f' rel="self"></link><updated>{yt_time(now)}</updated>{entries}</feed>')
            return 200, {"content-type": "application/atom+xml; charset=utf-8"}, body.encode()
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>https://{host}/t/{p.id}</link>"
            f"<guid isPermaLink=\"false\">{host}-{p.id}</guid>"
            f"<pubDate>{p.created.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<dc:creator>{escape(p.author.username if p.author else '')}</dc:creator>"
            f"<description>{escape(p.text)}</description></item>" for p in posts)
        body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                f"<title>{escape(s.name)}</title><link>https://{host}/</link>"
                f"<description>{escape(s.name)}</description><language>en-gb</language>"
                f"{items}</channel></rss>")
        return 200, {"content-type": "application/rss+xml; charset=utf-8"}, body.encode()
