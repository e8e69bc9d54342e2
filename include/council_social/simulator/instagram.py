"""The simulated Instagram Graph API objects: business user, media, comments."""

from __future__ import annotations

from typing import Any

from council_social.simulator.channels_common import Source, graph_time
from council_social.simulator.channels_content import SimPost, num_id, word_id


class InstagramApi:
    """Mixed into ChannelsApi, whose state (spec, now, token, lock...) it uses."""

    def _ig_user(self, s: Source) -> dict:
        return {"id": s.external_id, "username": s.handle, "name": s.name,
                "biography": f"Official Instagram of {self.spec.locale.council}",
                "followers_count": self._audience(s, 900), "follows_count": 120,
                "media_count": 480, "website": self.spec.locale.website}

    def _ig_comment(self, c, reply: bool = False) -> dict:
        row = {"id": num_id(c.id, "ig", digits=17), "text": c.text,
               "timestamp": graph_time(c.created), "username": c.author.username,
               "from": {"id": c.author.id, "username": c.author.username},
               "like_count": c.likes}
        if not reply:
            nested = [self._ig_comment(r, True) for r in c.replies]
            nested += self._comment_replies("instagram", row["id"])  # made through the API
            if nested:
                row["replies"] = {"data": nested}
        return row

    def _ig_media(self, s: Source | None, p: SimPost) -> dict:
        author = p.author or (self._person(s) if s else None)
        mid = num_id(p.id, "igm", digits=17)
        row: dict[str, Any] = {
            "id": mid, "caption": p.text, "media_type": "IMAGE",
            "permalink": f"https://www.instagram.com/p/{word_id(mid, length=11)}/",
            "timestamp": graph_time(p.created), "like_count": p.likes,
            "comments_count": len(p.comments),
        }
        if author is not None:
            row["username"] = author.username
            row["owner"] = {"id": author.id}
        if p.comments:
            row["comments"] = {"data": [self._ig_comment(c) for c in p.comments]}
        return row
