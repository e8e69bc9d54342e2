"""The simulated Flickr REST API: stat envelope, epoch strings, HTTP 200 errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from council_social.simulator.channels_common import Source, int_param, query_value
from council_social.simulator.channels_content import SimPost, num_id, posts_between, word_id


class FlickrApi:
    """Mixed into ChannelsApi, whose state (spec, now, token, lock...) it uses."""

    def _flickr(self, query):
        def fail(code: int, message: str):
            return self._json(200, {"stat": "fail", "code": code, "message": message})

        if query_value(query, "format") != "json" or query_value(query, "nojsoncallback") != "1":
            return 200, {"content-type": "text/xml; charset=utf-8"}, (
                b'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="fail">\n\t<err code="111" '
                b'msg="Format &quot;rest&quot; not found" />\n</rsp>\n')
        if query_value(query, "api_key") != self.token or "flickr" in self.expired:
            return fail(100, "Invalid API Key (Key has invalid format)")
        method = query_value(query, "method") or ""
        now = self.now()
        if method == "flickr.people.getInfo":
            s = self.source("flickr", query_value(query, "user_id") or "")
            if s is None:
                return fail(1, "User not found")
            return self._json(200, {"person": {
                "id": s.external_id, "nsid": s.external_id, "ispro": 1, "path_alias": s.handle,
                "username": {"_content": s.handle}, "realname": {"_content": s.name},
                "location": {"_content": f"{self.spec.locale.places[0]}, London, UK"},
                "description": {"_content": f"Photos from {self.spec.locale.council} events."},
                "profileurl": {"_content": f"https://www.flickr.com/people/{s.handle}/"},
                "photos": {"count": {"_content": 2400}}}, "stat": "ok"})
        if method in ("flickr.people.getPhotos", "flickr.photos.search"):
            s = (self.source("flickr", query_value(query, "user_id") or "")
                 if method == "flickr.people.getPhotos"
                 else next((x for x in self.spec.sources if x.platform == "flickr"), None))
            if s is None:
                return fail(2, "Unknown user")
            lo = query_value(query, "min_upload_date")
            hi = query_value(query, "max_upload_date")
            start = datetime.fromtimestamp(int_param(lo, 0), tz=UTC) if lo else now - timedelta(days=30)
            end = datetime.fromtimestamp(int_param(hi, 0), tz=UTC) if hi else now
            search = method == "flickr.photos.search"
            posts = self._flickr_photos(s, start, end, search)
            per = max(1, min(500, int_param(query_value(query, "per_page"), 100)))
            page = max(1, int_param(query_value(query, "page"), 1))
            pages = max(1, -(-len(posts) // per))
            chunk = posts[(page - 1) * per: page * per]
            return self._json(200, {"photos": {
                "page": page, "pages": pages, "perpage": per, "total": len(posts),
                "photo": [self._flickr_photo(s, p, search) for p in chunk]}, "stat": "ok"})
        if method == "flickr.photos.comments.getList":
            pid = query_value(query, "photo_id") or ""
            lo = int_param(query_value(query, "min_comment_date"), 0)
            for s in self.spec.sources:
                if s.platform != "flickr":
                    continue
                for search in (False, True):
                    for p in self._flickr_photos(s, now - timedelta(days=60), now, search):
                        if self._flickr_pid(p) == pid:
                            rows = [self._flickr_comment(p, c) for c in p.comments
                                    if c.created.timestamp() >= lo]
                            body: dict[str, Any] = {"photo_id": pid}
                            if rows:
                                body["comment"] = rows
                            return self._json(200, {"comments": body, "stat": "ok"})
            return fail(1, "Photo not found")
        return fail(112, f'Method "{method}" not found')

    def _flickr_photos(self, s: Source, start: datetime, end: datetime, search: bool):
        return posts_between(self.seed, f"fl:{'search' if search else 'own'}:{s.external_id}",
                             start, end, self.now(), rate=0.2, by_residents=search, locale=self.spec.locale)

    @staticmethod
    def _flickr_pid(p: SimPost) -> str:
        return num_id(p.id, "flickr", digits=11)

    def _flickr_photo(self, s: Source, p: SimPost, search: bool) -> dict:
        owner = (f"{num_id(p.author.id, digits=9)}@N0{int(p.author.id[-1]) % 9 + 1}"
                 if search and p.author else s.external_id)
        return {"id": self._flickr_pid(p), "owner": owner, "secret": word_id(p.id, length=10),
                "server": "65535", "farm": 66, "title": p.title, "ispublic": 1, "isfriend": 0,
                "isfamily": 0, "dateupload": str(int(p.created.timestamp())),
                "datetaken": p.created.strftime("%Y-%m-%d %H:%M:%S"),
                "datetakengranularity": 0, "datetakenunknown": "0",
                "ownername": p.author.name if search and p.author else s.name,
                "views": str(p.views), "count_comments": str(len(p.comments)),
                "count_faves": str(p.likes), "description": {"_content": p.text},
                "pathalias": None if search else s.handle}

    def _flickr_owner(self) -> str:
        own = next((s for s in self.spec.sources if s.platform == "flickr"), None)
        return own.handle if own is not None else "council"

    def _flickr_comment(self, p: SimPost, c) -> dict:
        pid = self._flickr_pid(p)
        author = f"{num_id(c.author.id, digits=9)}@N01"
        cid = f"{num_id(pid, digits=6)}-{pid}-{num_id(c.id, digits=17)}"
        return {"id": cid, "author": author, "author_is_deleted": 0,
                "authorname": c.author.username, "datecreate": str(int(c.created.timestamp())),
                "permalink": f"https://www.flickr.com/photos/{self._flickr_owner()}/{pid}/#comment{cid}",
                "path_alias": None, "realname": c.author.name, "_content": c.text}
