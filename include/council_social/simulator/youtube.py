"""The simulated YouTube Data API v3: channels, playlist items, comment threads, quota."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from html import escape
from typing import Any

from council_social.simulator.channels_common import (
    Source,
    int_param,
    page_cursor,
    page_offset,
    query_value,
    yt_time,
)
from council_social.simulator.channels_content import SimPost, posts_between, word_id


class YouTubeApi:
    """Mixed into ChannelsApi, whose state (spec, now, token, lock...) it uses."""

    def _yt_error(self, status: int, reason: str, message: str, domain: str = "global"):
        return self._json(status, {"error": {"code": status, "message": message, "errors": [
            {"message": message, "domain": domain, "reason": reason}]}})

    def _youtube(self, path: str, query, ok: bool):
        if not ok:
            return self._yt_error(401, "authError", "Request had invalid authentication "
                                  "credentials. Expected OAuth 2 access token.")
        resource = path.rstrip("/").rsplit("/", 1)[-1]
        with self.lock:
            if self.youtube_quota is not None and self.youtube_units >= self.youtube_quota:
                quota = True
            else:
                quota = False
                self.youtube_units += 100 if resource == "search" else 1
        if quota:
            return self._yt_error(403, "quotaExceeded", "The request cannot be completed "
                                  "because you have exceeded your <a href=\"/youtube/v3/"
                                  "getting-started#quota\">quota</a>.", "youtube.quota")
        now = self.now()
        size = max(1, min(100, int_param(query_value(query, "maxResults"), 5)))
        offset = page_offset(query_value(query, "pageToken"))
        if offset < 0:
            return self._yt_error(400, "invalidPageToken", "The request specifies an invalid "
                                  "page token.")
        if resource == "channels":
            s = self.source("youtube", query_value(query, "id") or "")
            items = [self._yt_channel(s)] if s else []
            return self._json(200, {"kind": "youtube#channelListResponse",
                                    "etag": word_id(self.seed, "ch", now.date()),
                                    "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
                                    "items": items})
        if resource == "playlistItems":
            pid = query_value(query, "playlistId") or ""
            s = self.source("youtube", "UC" + pid[2:]) if pid.startswith("UU") else None
            if s is None:
                return self._yt_error(404, "playlistNotFound", "The playlist identified with "
                                      "the request's <code>playlistId</code> parameter cannot "
                                      "be found.")
            rows = [self._yt_playlist_item(s, v, i) for i, v in enumerate(self._videos(s))]
            return self._yt_list("youtube#playlistItemListResponse", rows, offset, size)
        if resource == "commentThreads":
            s = self.source("youtube", query_value(query, "allThreadsRelatedToChannelId") or "")
            if s is None:
                return self._yt_error(404, "channelNotFound", "The channel could not be found.")
            threads = [(v, c) for v in self._videos(s) for c in v.comments]
            threads.sort(key=lambda vc: max([vc[1].created] + [r.created for r in vc[1].replies]),
                         reverse=True)
            rows = [self._yt_thread(s, v, c) for v, c in threads]
            return self._yt_list("youtube#commentThreadListResponse", rows, offset, size)
        if resource == "comments":
            parent = query_value(query, "parentId") or ""
            rows = []
            for s in self.spec.sources:
                if s.platform != "youtube":
                    continue
                for v in self._videos(s):
                    for c in v.comments:
                        if self._yt_cid(c) == parent:
                            rows = [self._yt_comment(s, v, r, parent) for r in c.replies]
            rows += [self._yt_api_reply(r) for r in self._yt_made(parent)]
            return self._yt_list("youtube#commentListResponse", rows, offset, size)
        return self._yt_error(404, "notFound", "Not Found")

    def _youtube_post(self, path: str, query, ok: bool, body: bytes):
        """POST /youtube/v3/comments?part=snippet: reply to a comment as the council's channel."""
        if not ok or "youtube" in self.expired:
            return self._yt_error(401, "authError", "Request had invalid authentication "
                                  "credentials. Expected OAuth 2 access token.")
        if path.rstrip("/").rsplit("/", 1)[-1] != "comments" or query_value(query, "part") != "snippet":
            return self._yt_error(400, "invalidPart", "The part parameter must be snippet.")
        try:
            snippet = json.loads(body or b"{}").get("snippet") or {}
        except (ValueError, AttributeError):
            snippet = {}
        parent, text = snippet.get("parentId"), snippet.get("textOriginal")
        if not isinstance(parent, str) or not parent or not isinstance(text, str) \
                or not text.strip():
            return self._yt_error(400, "invalidCommentMetadata", "The request metadata is "
                                  "invalid: snippet.parentId and snippet.textOriginal are "
                                  "required.")
        channel = next((s for s in self.spec.sources if s.platform == "youtube"), None)
        if channel is None:
            return self._yt_error(404, "channelNotFound", "The channel could not be found.")
        with self.lock:
            reply_id = f"{parent}.{word_id(self.seed, parent, len(self.replies), length=22)}"
            row = {"id": reply_id, "platform": "youtube", "parent": parent,
                   "parent_is_post": False, "message": text, "from": channel,
                   "created": self.now().astimezone(UTC)}
            self.replies.append(row)
        return self._json(200, self._yt_api_reply(row))

    def _yt_made(self, parent: str) -> list[dict]:
        with self.lock:
            return [dict(r) for r in self.replies
                    if r["platform"] == "youtube" and r["parent"] == parent]

    def _yt_api_reply(self, r: dict) -> dict:
        s = r["from"]
        return {"kind": "youtube#comment", "etag": word_id(r["id"], "e"), "id": r["id"],
                "snippet": {"channelId": s.external_id, "authorDisplayName": s.name,
                            "authorChannelUrl": f"http://www.youtube.com/channel/{s.external_id}",
                            "authorChannelId": {"value": s.external_id},
                            "textDisplay": escape(r["message"]), "textOriginal": r["message"],
                            "parentId": r["parent"], "canRate": True, "viewerRating": "none",
                            "likeCount": 0, "publishedAt": yt_time(r["created"]),
                            "updatedAt": yt_time(r["created"])}}

    def _videos(self, s: Source) -> list[SimPost]:
        now = self.now()
        return posts_between(self.seed, f"yt:{s.external_id}", now - timedelta(days=30), now,
                             now, rate=0.15, council=self._person(s), locale=self.spec.locale)

    @staticmethod
    def _yt_cid(c) -> str:
        return "Ug" + word_id(c.id, length=24)

    def _yt_list(self, kind: str, rows: list[dict], offset: int, size: int):
        chunk = rows[offset:offset + size]
        body: dict[str, Any] = {"kind": kind, "etag": word_id(kind, offset, len(rows))}
        if offset + size < len(rows):
            body["nextPageToken"] = page_cursor(offset + size)
        body["pageInfo"] = {"totalResults": len(rows), "resultsPerPage": size}
        body["items"] = chunk
        return self._json(200, body)

    def _yt_channel(self, s: Source) -> dict:
        return {"kind": "youtube#channel", "etag": word_id(s.external_id), "id": s.external_id,
                "snippet": {"title": s.name, "description": f"{self.spec.locale.council}'s YouTube channel",
                            "customUrl": f"@{s.handle.lower()}",
                            "publishedAt": "2010-03-01T10:00:00Z", "country": "GB"},
                "contentDetails": {"relatedPlaylists": {"likes": "",
                                                        "uploads": "UU" + s.external_id[2:]}},
                "statistics": {"viewCount": "250000",
                               "subscriberCount": str(self._audience(s, 180)),
                               "hiddenSubscriberCount": False, "videoCount": "140"}}

    def _yt_vid(self, v: SimPost) -> str:
        return word_id(v.id, "video", length=11)

    def _yt_playlist_item(self, s: Source, v: SimPost, position: int) -> dict:
        vid = self._yt_vid(v)
        return {"kind": "youtube#playlistItem", "etag": word_id(vid, "etag"),
                "id": word_id(vid, "pli", length=40),
                "snippet": {"publishedAt": yt_time(v.created), "channelId": s.external_id,
                            "title": v.title, "description": v.text, "channelTitle": s.name,
                            "playlistId": "UU" + s.external_id[2:], "position": position,
                            "resourceId": {"kind": "youtube#video", "videoId": vid},
                            "videoOwnerChannelTitle": s.name,
                            "videoOwnerChannelId": s.external_id},
                "contentDetails": {"videoId": vid, "videoPublishedAt": yt_time(v.created)}}

    def _yt_comment(self, s: Source, v: SimPost, c, parent: str | None = None) -> dict:
        cid = self._yt_cid(c) if parent is None else f"{parent}.{word_id(c.id, length=22)}"
        author_id = s.external_id if c.by_council else "UC" + word_id(c.author.id, length=22)
        snippet: dict[str, Any] = {
            "channelId": s.external_id, "videoId": self._yt_vid(v),
            "authorDisplayName": s.name if c.by_council else c.author.name,
            "authorProfileImageUrl": "https://yt3.ggpht.com/a/default-user=s48",
            "authorChannelUrl": f"http://www.youtube.com/channel/{author_id}",
            "authorChannelId": {"value": author_id},
            "textDisplay": escape(c.text), "textOriginal": c.text, "canRate": True,
            "viewerRating": "none", "likeCount": c.likes,
            "publishedAt": yt_time(c.created), "updatedAt": yt_time(c.created)}
        if parent:
            snippet["parentId"] = parent
        return {"kind": "youtube#comment", "etag": word_id(cid, "e"), "id": cid,
                "snippet": snippet}

    def _yt_thread(self, s: Source, v: SimPost, c) -> dict:
        top = self._yt_comment(s, v, c)
        row: dict[str, Any] = {
            "kind": "youtube#commentThread", "etag": word_id(top["id"], "t"), "id": top["id"],
            "snippet": {"channelId": s.external_id, "videoId": self._yt_vid(v),
                        "topLevelComment": top, "canReply": True,
                        "totalReplyCount": len(c.replies), "isPublic": True}}
        nested = [self._yt_comment(s, v, r, top["id"]) for r in c.replies]
        nested += [self._yt_api_reply(r) for r in self._yt_made(top["id"])]  # through the API
        if nested:
            row["snippet"]["totalReplyCount"] = len(nested)
            row["replies"] = {"comments": nested}
        return row
