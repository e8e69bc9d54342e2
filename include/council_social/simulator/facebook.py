"""The simulated Facebook Graph API: pages, groups, posts, comments, posting and hiding
(the Graph dispatch also serves Instagram's paths, see instagram.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from council_social.simulator.channels_common import (
    GRAPH_LOOKBACK,
    Source,
    graph_time,
    int_param,
    page_cursor,
    page_offset,
    query_value,
)
from council_social.simulator.channels_content import (
    Person,
    SimPost,
    num_id,
    posts_between,
    word_id,
)


class FacebookApi:
    """Mixed into ChannelsApi, whose state (spec, now, token, lock...) it uses."""

    def _graph_error(self, status: int, message: str, kind: str, code: int,
                     sub: int | None = None):
        err: dict[str, Any] = {"message": message, "type": kind, "code": code,
                               "fbtrace_id": word_id(self.seed, message, length=23)}
        if sub is not None:
            err["error_subcode"] = sub
        return self._json(status, {"error": err},
                          {"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'}
                          if code == 190 else None)

    def _graph(self, path: str, query, ok: bool):
        parts = [p for p in path.split("/") if p]
        rest = parts[1:]  # parts[0] is the Graph version; any is served
        if not ok or self.expired & {"facebook", "instagram"}:
            return self._graph_error(400, "Error validating access token: Session has expired on "
                                     "Tuesday, 24-Nov-26 04:00:00 PST. The current time is "
                                     "Wednesday, 25-Nov-26 04:00:00 PST.", "OAuthException",
                                     190, 463)
        now = self.now()
        if rest == ["ig_hashtag_search"]:
            tag = (query_value(query, "q") or "").lstrip("#").lower()
            return self._json(200, {"data": [{"id": num_id(self.seed, "hashtag", tag,
                                                           digits=17)}]})
        if not rest or len(rest) > 2:
            return self._graph_error(400, "Unsupported get request.", "GraphMethodException", 100,
                                     33)
        obj = rest[0]
        edge = rest[1] if len(rest) == 2 else None
        fb = self.source("facebook", obj)
        ig = self.source("instagram", obj)
        tag = next((t for t in self.spec.hashtags
                    if num_id(self.seed, "hashtag", t.lower(), digits=17) == obj), None)
        if edge is None and fb is not None:
            return self._json(200, self._page_obj(fb))
        if edge is None and ig is not None:
            return self._json(200, self._ig_user(ig))
        if edge is None and query_value(query, "fields") == "is_hidden":
            with self.lock:
                return self._json(200, {"id": obj, "is_hidden": obj in self.hidden})
        since = datetime.fromtimestamp(int_param(query_value(query, "since"), 0), tz=UTC) \
            if query_value(query, "since") else now - GRAPH_LOOKBACK
        until = datetime.fromtimestamp(int_param(query_value(query, "until"), 0), tz=UTC) \
            if query_value(query, "until") else now
        limit = max(1, min(100, int_param(query_value(query, "limit"), 25)))
        offset = page_offset(query_value(query, "after"))
        if offset < 0:
            return self._graph_error(400, "Invalid cursor", "OAuthException", 100)
        if edge == "posts" and fb is not None and fb.kind == "account":
            # The page's own posts: the council's generated posts plus those made through the API.
            council = self._person(fb)
            posts = posts_between(self.seed, f"fb:{fb.external_id}", since, until, now,
                                  rate=0.5, council=council, locale=self.spec.locale)
            rows = [self._fb_post(fb, p) for p in posts]
            rows = self._with_fb_posted(fb, rows, since, until)
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if edge == "feed" and fb is not None:
            council = self._person(fb)
            posts = posts_between(self.seed, f"fb:{fb.external_id}", since, until, now,
                                  rate=0.5 if fb.kind == "account" else 0.6,
                                  by_residents=fb.kind == "group", council=council, locale=self.spec.locale)
            rows = [self._fb_post(fb, p) for p in posts]
            rows = self._with_fb_posted(fb, rows, since, until)
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if edge == "comments":
            page_id, _, post_n = obj.partition("_")
            fb = self.source("facebook", page_id)
            if fb is None:  # a comment's id: the replies made to it through the API
                rows = self._comment_replies("facebook", obj)
                return self._json(200, self._graph_page(path, query, rows, offset, limit))
            posts = posts_between(self.seed, f"fb:{fb.external_id}", now - GRAPH_LOOKBACK * 3,
                                  now, now, by_residents=fb.kind == "group",
                                  council=self._person(fb), locale=self.spec.locale)
            post = next((p for p in posts if p.id == post_n), None)
            rows = [self._fb_comment(fb, post, c) for c in post.comments] if post else []
            rows += self._comment_replies("facebook", obj)
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if edge == "replies" and fb is None and ig is None:
            rows = self._comment_replies("instagram", obj)
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if ig is not None and edge in ("media", "tags"):
            posts = posts_between(self.seed, f"ig:{edge}:{ig.external_id}", now - GRAPH_LOOKBACK,
                                  now, now, rate=0.3, by_residents=edge == "tags",
                                  council=self._person(ig), locale=self.spec.locale)
            rows = [self._ig_media(ig, p) for p in posts]
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if tag is not None and edge == "recent_media":
            posts = posts_between(self.seed, f"ig:tag:{tag}", now - timedelta(days=1), now, now,
                                  rate=0.5, by_residents=True, locale=self.spec.locale)
            rows = [self._ig_media(None, p) for p in posts]
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        return self._graph_error(400, f"Unsupported get request. Object with ID '{obj}' does "
                                 "not exist, cannot be loaded due to missing permissions, or "
                                 "does not support this operation.", "GraphMethodException",
                                 100, 33)

    def _graph_post(self, path: str, query, ok: bool):
        """POST /{v}/{page-id}/feed: publish to a configured page as the page;
        POST /{v}/{id}/comments (Facebook) and /{v}/{ig-comment-id}/replies (Instagram):
        reply to a comment (or comment on a post) as the council's account."""
        rest = [p for p in path.split("/") if p][1:]
        platform = "instagram" if rest[-1:] == ["replies"] else "facebook"
        if not ok or platform in self.expired:
            return self._graph_error(400, "Error validating access token: Session has expired on "
                                     "Tuesday, 24-Nov-26 04:00:00 PST. The current time is "
                                     "Wednesday, 25-Nov-26 04:00:00 PST.", "OAuthException",
                                     190, 463)
        if len(rest) == 2 and rest[1] in ("comments", "replies"):
            return self._reply(platform, rest[0], query_value(query, "message") or "")
        if len(rest) == 1 and query_value(query, "is_hidden") is not None:
            return self._hide(rest[0], query_value(query, "is_hidden") == "true")
        fb = self.source("facebook", rest[0]) if len(rest) == 2 and rest[1] == "feed" else None
        if fb is None or fb.kind != "account":
            return self._graph_error(400, "Unsupported post request. Please read the Graph API "
                                     "documentation at https://developers.facebook.com/docs/"
                                     "graph-api", "GraphMethodException", 100, 33)
        message, link = query_value(query, "message") or "", query_value(query, "link")
        if not message.strip() and not link:
            return self._graph_error(400, "(#100) Missing message or attachment",
                                     "OAuthException", 100)
        now = self.now().astimezone(UTC)
        with self.lock:
            if fb.external_id in self.fb_blocked:
                return self._graph_error(400, "(#368) The action attempted has been deemed "
                                         "abusive or is otherwise disallowed", "OAuthException",
                                         368, 1390008)
            if any(p["page_id"] == fb.external_id and p["message"] == message
                   for p in self.fb_posted):
                return self._graph_error(400, "(#506) Duplicate status message",
                                         "OAuthException", 506)
            post_id = num_id(self.seed, "fbpost", fb.external_id, len(self.fb_posted), digits=16)
            self.fb_posted.append({"id": f"{fb.external_id}_{post_id}", "page_id": fb.external_id,
                                   "message": message, "link": link, "created": now})
        return self._json(200, {"id": f"{fb.external_id}_{post_id}"})

    def _hide(self, comment_id: str, hidden: bool):
        """POST /{comment-id}?is_hidden=true|false (a Facebook or Instagram comment)."""
        if self.source("facebook", comment_id) or self.source("instagram", comment_id):
            return self._graph_error(400, "(#100) Param is_hidden is not valid for a page",
                                     "OAuthException", 100)
        with self.lock:
            self.hide_calls.append(comment_id)
            (self.hidden.add if hidden else self.hidden.discard)(comment_id)
        return self._json(200, {"success": True})

    def _reply(self, platform: str, parent: str, message: str):
        """A comment under a post or a reply to a comment, by the council's first account on the
        platform (the page token speaks as the page). Every one is recorded in `replies`."""
        if not message.strip():
            return self._graph_error(400, "(#100) Missing message", "OAuthException", 100)
        if self.source("facebook", parent) or self.source("instagram", parent):
            return self._graph_error(400, "Unsupported post request.", "GraphMethodException",
                                     100, 33)
        page = self.source("facebook", parent.partition("_")[0])
        council = page or next((s for s in self.spec.sources
                                if s.platform == platform and s.kind == "account"), None)
        if council is None:
            return self._graph_error(400, "Unsupported post request.", "GraphMethodException",
                                     100, 33)
        with self.lock:
            n = num_id(self.seed, "reply", platform, parent, len(self.replies), digits=16)
            if platform == "facebook":  # {post}_{comment}, as Graph numbers comments
                post_n = parent.split("_")[1] if page else parent.split("_")[0]
                reply_id = f"{post_n}_{n}"
            else:
                reply_id = num_id(self.seed, "igreply", parent, len(self.replies), digits=17)
            self.replies.append({"id": reply_id, "platform": platform, "parent": parent,
                                 "parent_is_post": page is not None, "message": message,
                                 "from": council, "created": self.now().astimezone(UTC)})
        return self._json(200, {"id": reply_id})

    def _comment_replies(self, platform: str, parent: str) -> list[dict]:
        """The replies made through the API under `parent`, oldest first, as Graph lists them."""
        with self.lock:
            made = [dict(r) for r in self.replies
                    if r["platform"] == platform and r["parent"] == parent]
        rows = []
        for r in made:
            s = r["from"]
            if platform == "instagram":
                rows.append({"id": r["id"], "text": r["message"], "username": s.handle,
                             "timestamp": graph_time(r["created"]),
                             "from": {"id": s.external_id, "username": s.handle},
                             "parent_id": parent, "like_count": 0})
                continue
            post_n, _, comment_n = r["id"].partition("_")
            link = f"https://www.facebook.com/{s.external_id}/posts/{post_n}/?comment_id="
            row = {"id": r["id"], "message": r["message"],
                   "created_time": graph_time(r["created"]),
                   "from": {"id": s.external_id, "name": s.name}, "like_count": 0,
                   "permalink_url": link + (comment_n if r["parent_is_post"] else
                                            f"{parent.split('_')[-1]}&reply_comment_id="
                                            f"{comment_n}")}
            if not r["parent_is_post"]:
                row["parent"] = {"id": parent}
            rows.append(row)
        return rows

    def _with_fb_posted(self, fb: Source, rows: list[dict], since: datetime,
                        until: datetime) -> list[dict]:
        """Generated rows plus the page's API posts in (since, until], newest first."""
        with self.lock:
            made = [p for p in self.fb_posted
                    if p["page_id"] == fb.external_id and since < p["created"] <= until]
        if not made:
            return rows
        page = self._page_obj(fb)
        for p in made:
            row: dict[str, Any] = {
                "id": p["id"], "message": p["message"], "created_time": graph_time(p["created"]),
                "updated_time": graph_time(p["created"]),
                "permalink_url": f"https://www.facebook.com/{fb.external_id}/posts/"
                                 f"{p['id'].split('_', 1)[1]}",
                "shares": {"count": 0},
                "from": {k: page[k] for k in ("id", "name", "username", "link", "fan_count",
                                              "followers_count")},
                "reactions": {"data": [], "summary": {"total_count": 0,
                                                      "viewer_reaction": "NONE"}},
                "comments": {"data": [], "summary": {"order": "reverse_chronological",
                                                     "total_count": 0, "can_comment": True}}}
            if p["link"]:
                row["link"] = p["link"]
            rows = [*rows, row]
        return sorted(rows, key=lambda r: r["created_time"], reverse=True)

    def _graph_page(self, path: str, query, rows: list[dict], offset: int, limit: int) -> dict:
        chunk = rows[offset:offset + limit]
        body: dict[str, Any] = {"data": chunk}
        if chunk:
            paging: dict[str, Any] = {"cursors": {"before": page_cursor(offset),
                                                  "after": page_cursor(offset + len(chunk))}}
            if offset + limit < len(rows):
                params = {k: v[0] for k, v in query.items() if k not in ("after", "access_token")}
                params["after"] = page_cursor(offset + limit)
                paging["next"] = f"{self._base()}{path}?{urlencode(params)}"
            body["paging"] = paging
        return body


    def _page_obj(self, s: Source) -> dict:
        if s.kind == "group":
            return {"id": s.external_id, "name": s.name, "privacy": "CLOSED",
                    "member_count": 4200}
        fans = self._audience(s, 3294)
        return {"id": s.external_id, "name": s.name, "username": s.handle,
                "link": f"https://www.facebook.com/{s.handle}", "fan_count": fans,
                "followers_count": fans + 150, "about": f"The official page of {self.spec.locale.council}.",
                "verification_status": "blue_verified"}

    def _from(self, s: Source, p: Person) -> dict:
        if p.id == s.external_id and s.kind == "account":
            page = self._page_obj(s)
            return {k: page[k] for k in ("id", "name", "username", "link", "fan_count",
                                         "followers_count")}
        return {"id": p.id, "name": p.name}

    def _fb_comment(self, s: Source, post: SimPost, c, parent: str | None = None) -> dict:
        cid = f"{post.id}_{c.id}"
        link = f"https://www.facebook.com/{s.external_id}/posts/{post.id}/?comment_id="
        row: dict[str, Any] = {
            "id": cid, "message": c.text, "created_time": graph_time(c.created),
            "permalink_url": link + (f"{parent.split('_')[-1]}&reply_comment_id={c.id}"
                                     if parent else c.id),
            "like_count": c.likes, "comment_count": len(getattr(c, "replies", [])),
            "from": self._from(s, c.author),
        }
        if parent:
            return {**row, "parent": {"id": parent}}
        nested = [self._fb_comment(s, post, r, cid) for r in c.replies]
        nested += self._comment_replies("facebook", cid)  # the council's, made through the API
        if nested:
            row["comment_count"] = len(nested)
            row["comments"] = {"data": nested,
                               "paging": {"cursors": {"before": page_cursor(0),
                                                      "after": page_cursor(len(nested))}}}
        return row

    def _fb_post(self, s: Source, p: SimPost) -> dict:
        author = p.author or self._person(s)
        comments = [self._fb_comment(s, p, c) for c in p.comments]
        comments += self._comment_replies("facebook", f"{s.external_id}_{p.id}")
        return {
            "id": f"{s.external_id}_{p.id}", "message": p.text,
            "created_time": graph_time(p.created), "updated_time": graph_time(p.created),
            "permalink_url": f"https://www.facebook.com/{s.external_id}/posts/{p.id}",
            "shares": {"count": p.shares}, "from": self._from(s, author),
            "reactions": {"data": [], "summary": {"total_count": p.likes,
                                                  "viewer_reaction": "NONE"}},
            "comments": {"data": comments[:25],
                         **({"paging": {"cursors": {"before": page_cursor(0),
                                                    "after": page_cursor(len(comments[:25]))}}}
                            if comments else {}),
                         "summary": {"order": "reverse_chronological",
                                     "total_count": len(comments), "can_comment": True}},
        }
