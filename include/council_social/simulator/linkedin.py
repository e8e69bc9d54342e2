"""The simulated LinkedIn Community Management API: posts and comments, elements + paging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from council_social.simulator.channels_common import Source, int_param, query_value
from council_social.simulator.channels_content import SimPost, posts_between, word_id


class LinkedInApi:
    """Mixed into ChannelsApi, whose state (spec, now, token, lock...) it uses."""

    def _linkedin(self, path: str, query, ok: bool):
        if not ok or "linkedin" in self.expired:
            return self._json(401, {"status": 401, "serviceErrorCode": 65600,
                                    "code": "INVALID_ACCESS_TOKEN",
                                    "message": "Invalid access token"})
        start = max(0, int_param(query_value(query, "start"), 0))
        count = max(1, min(100, int_param(query_value(query, "count"), 10)))
        parts = [p for p in path.split("/") if p]
        if len(parts) == 3 and parts[1] == "organizations":
            s = self.source("linkedin", parts[2])
            if s is None:
                return self._json(404, {"status": 404, "code": "NOT_FOUND",
                                        "message": "Organization not found"})
            return self._json(200, {"id": int(s.external_id), "localizedName": s.name,
                                    "vanityName": s.handle,
                                    "localizedDescription": self.spec.locale.tagline})
        if parts[1:] == ["posts"]:
            org = (query_value(query, "author") or "").rsplit(":", 1)[-1]
            s = self.source("linkedin", org)
            if s is None or query_value(query, "q") != "author":
                return self._json(400, {"status": 400, "code": "ILLEGAL_ARGUMENT",
                                        "message": "Invalid query parameters"})
            rows = [self._li_post(s, p) for p in self._li_posts(s)]
            return self._li_page(rows, start, count)
        if len(parts) == 4 and parts[1] == "socialActions" and parts[3] == "comments":
            urn = parts[2]
            for s in self.spec.sources:
                if s.platform != "linkedin":
                    continue
                for p in self._li_posts(s):
                    if f"urn:li:share:{p.id}" == urn:
                        rows = [self._li_comment(p, c) for c in p.comments]
                        rows += [self._li_comment(p, r, c) for c in p.comments for r in c.replies]
                        return self._li_page(rows, start, count)
            return self._li_page([], start, count)
        return self._json(404, {"status": 404, "code": "NOT_FOUND", "message": "Not Found"})

    def _li_posts(self, s: Source) -> list[SimPost]:
        now = self.now()
        return posts_between(self.seed, f"li:{s.external_id}", now - timedelta(days=30), now,
                             now, rate=0.15, council=self._person(s), locale=self.spec.locale)

    def _li_page(self, rows: list[dict], start: int, count: int):
        return self._json(200, {"paging": {"start": start, "count": count, "links": [],
                                           "total": len(rows)},
                                "elements": rows[start:start + count]})

    @staticmethod
    def _li_post(s: Source, p: SimPost) -> dict:
        ms = int(p.created.timestamp() * 1000)
        return {"id": f"urn:li:share:{p.id}", "author": f"urn:li:organization:{s.external_id}",
                "commentary": p.text, "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
                "createdAt": ms, "publishedAt": ms, "lastModifiedAt": ms,
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "isReshareDisabledByAuthor": False}

    @staticmethod
    def _li_comment(p: SimPost, c, parent=None) -> dict:
        activity = f"urn:li:activity:{p.id}"
        actor = f"urn:li:person:{word_id(c.author.id, length=10)}"
        ms = int(c.created.timestamp() * 1000)
        row: dict[str, Any] = {
            "actor": actor, "id": c.id, "commentUrn": f"urn:li:comment:({activity},{c.id})",
            "created": {"actor": actor, "time": ms}, "lastModified": {"actor": actor, "time": ms},
            "message": {"text": c.text, "attributes": []}, "object": activity,
            "likesSummary": {"totalLikes": c.likes, "likedByCurrentUser": False},
            "commentsSummary": {"aggregatedTotalComments": len(c.replies),
                                "totalFirstLevelComments": len(c.replies)}}
        if parent is not None:
            row["parentComment"] = f"urn:li:comment:({activity},{parent.id})"
        return row
