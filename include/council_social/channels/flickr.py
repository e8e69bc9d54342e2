"""Flickr REST API (format=json&nojsoncallback=1): the council's photos and their comments.

Flickr wraps every answer in a `stat` envelope and reports errors with HTTP
200: `{"stat": "fail", "code": 100, "message": "Invalid API Key"}`. Times
are epoch-second strings (`dateupload`, `datecreate`); counts are strings
too. Photos (people.getPhotos, photos.search) are posts by their owner;
photos.comments.getList gives comments; people.getInfo gives the owner as
an author, with a follower count where Flickr includes one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests

from council_social.channels.common import (
    ChannelAuthError,
    FetchResult,
    HttpConnector,
    as_dict,
    as_id,
    as_int,
    as_list,
    as_str,
    load_json,
    load_json_object,
    metrics_of,
    newest_stamp,
    parse_time,
    raw_time,
    since_from,
)
from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage

log = logging.getLogger(__name__)

ENDPOINTS = ("photos", "search")
EXTRAS = "date_upload,date_taken,description,owner_name,views,count_comments,count_faves,url_m,path_alias"
AUTH_CODES = {96, 97, 98, 99, 100}  # signature, login, token, permission, API key


class FlickrAuthError(ChannelAuthError):
    """Flickr refused the API key or token."""


def _content(value: Any) -> str | None:
    return as_str(as_dict(value).get("_content")) if isinstance(value, dict) else as_str(value)


def _photo_url(p: dict[str, Any]) -> str | None:
    owner = as_str(p.get("pathalias")) or as_id(p.get("owner"))
    pid = as_id(p.get("id"))
    return f"https://www.flickr.com/photos/{owner}/{pid}/" if owner and pid else None


def parse_flickr_page(body: bytes, *, account_key: str | None = None) -> ParsedPage:
    """Read one Flickr REST JSON response body. Pure: no network, no Airflow."""
    doc, where, problem = load_json_object(body, account_key)
    if problem:
        return ParsedPage(problem=problem)
    if doc.get("stat") != "ok":
        if doc.get("stat") == "fail":
            return ParsedPage(problem=f"Flickr error {doc.get('code')}: "
                                      f"{str(doc.get('message'))[:300]}{where}")
        return ParsedPage(problem=f"no stat envelope: not a Flickr response{where}")
    page = ParsedPage()

    def item(**kw) -> None:
        page.items.append(ItemRecord(platform="flickr", record_index=len(page.items), **kw))

    if isinstance(doc.get("person"), dict):
        p = doc["person"]
        pid = as_id(p.get("nsid")) or as_id(p.get("id"))
        if pid:
            page.authors[pid] = AuthorRecord(
                platform="flickr", external_id=pid, username=_content(p.get("username")),
                display_name=_content(p.get("realname")) or _content(p.get("username")),
                description=_content(p.get("description")),
                followers_count=as_int(p.get("followers_count") or _content(p.get("followers"))),
                post_count=as_int(_content(as_dict(p.get("photos")).get("count"))),
                location=_content(p.get("location")), url=_content(p.get("profileurl")), raw=p)
        return page
    if isinstance(doc.get("photos"), dict):
        photos = doc["photos"]
        cur, pages = as_int(photos.get("page")), as_int(photos.get("pages"))
        page.result_count = as_int(photos.get("total"))
        if cur is not None and pages is not None and cur < pages:
            page.next_token = str(cur + 1)
        records = photos.get("photo")
        if not isinstance(records, list):
            page.problem = f"photos.photo is not a list{where}"
            return page
        for p in records:
            if not isinstance(p, dict):
                item(external_id=None, raw=NotAnObject(value=p))
                continue
            owner = as_id(p.get("owner"))
            if owner and owner not in page.authors:
                page.authors[owner] = AuthorRecord(
                    platform="flickr", external_id=owner, display_name=as_str(p.get("ownername")),
                    username=as_str(p.get("pathalias")), raw={"owner": owner,
                                                               "ownername": p.get("ownername")})
            title, desc = as_str(p.get("title")), _content(p.get("description"))
            text = "\n\n".join(t for t in (title, desc) if t) if (title or desc) else (
                "" if "title" in p else None)
            created = p.get("dateupload")
            pid = as_id(p.get("id"))
            item(external_id=pid, kind="post", author_external_id=owner, text=text,
                 created_at=parse_time(created), created_at_raw=raw_time(created),
                 conversation_id=pid, url=_photo_url(p),
                 metrics=metrics_of({"view_count": p.get("views"),
                                     "reply_count": p.get("count_comments"),
                                     "like_count": p.get("count_faves")}), raw=p)
        return page
    if isinstance(doc.get("comments"), dict):
        comments = doc["comments"]
        photo = as_id(comments.get("photo_id"))
        records = comments.get("comment", [])  # Flickr omits the list when there are none
        if not isinstance(records, list):
            page.problem = f"comments.comment is not a list{where}"
            return page
        for c in records:
            if not isinstance(c, dict):
                item(external_id=None, raw=NotAnObject(value=c))
                continue
            author = as_id(c.get("author"))
            if author and author not in page.authors:
                page.authors[author] = AuthorRecord(
                    platform="flickr", external_id=author,
                    username=as_str(c.get("path_alias")) or as_str(c.get("authorname")),
                    display_name=as_str(c.get("realname")) or as_str(c.get("authorname")),
                    raw={k: c.get(k) for k in ("author", "authorname", "realname",
                                               "path_alias")})
            created = c.get("datecreate")
            item(external_id=as_id(c.get("id")), kind="comment", author_external_id=author,
                 text=_content(c), created_at=parse_time(created),
                 created_at_raw=raw_time(created), conversation_id=photo,
                 in_reply_to_external_id=photo, url=as_str(c.get("permalink")), raw=c)
        return page
    page.problem = f"stat ok but no photos, comments or person{where}"
    return page


class FlickrConnector(HttpConnector):
    platform = "flickr"
    auth_error = FlickrAuthError

    def __init__(self, api_key: str, base_url: str = "https://www.flickr.com", *,
                 search_text: str | None = None, **kw):
        super().__init__(api_key, base_url, **kw)
        self.search_text = search_text

    def auth(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        params["api_key"] = self._token

    def _doc(self, resp: requests.Response) -> dict[str, Any]:
        doc, _ = load_json(resp.content, "")
        return as_dict(doc)

    def auth_failure(self, resp: requests.Response) -> str | None:
        doc = self._doc(resp)
        if doc.get("stat") == "fail" and as_int(doc.get("code")) in AUTH_CODES:
            return f"Flickr error {doc.get('code')}: {doc.get('message')}"
        return super().auth_failure(resp)

    def call(self, method: str, params: dict[str, Any], account, result: FetchResult,
             parsed: list[ParsedPage]) -> tuple[ParsedPage | None, str | None]:
        if len(result.pages) >= self.max_pages:
            return None, "max_pages"
        query = {"method": method, "format": "json", "nojsoncallback": 1, **params}
        resp, stop = self.get("/services/rest/", query, account, method, result)
        if stop is not None:
            return None, stop
        doc = self._doc(resp)
        if doc.get("stat") == "fail":  # errors arrive as HTTP 200
            return None, f"flickr_{doc.get('code')}: {str(doc.get('message'))[:200]}"
        result.pages.append(self.raw_page(account, method, resp))
        page = parse_flickr_page(resp.content, account_key=account.key)
        if page.problem:
            return None, f"bad_page: {page.problem}"
        parsed.append(page)
        return page, None

    def fetch(self, account, endpoint: str, *, since_id: str | None = None,
              start_time: datetime | None = None, end_time: datetime | None = None
              ) -> FetchResult:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
        user = account.external_id or account.handle
        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        since = since_from(since_id, start_time)
        parsed: list[ParsedPage] = []
        window: dict[str, Any] = {}
        if since is not None:
            window["min_upload_date"] = int(since.timestamp())
        if end_time is not None:
            window["max_upload_date"] = int(end_time.timestamp())
        if endpoint == "photos":
            _, stop = self.call("flickr.people.getInfo", {"user_id": user}, account, result,
                                parsed)
            if stop:
                result.stopped_reason = stop
                return result
            method = "flickr.people.getPhotos"
            params: dict[str, Any] = {"user_id": user, **window}
        else:
            method = "flickr.photos.search"
            params = {"text": self.search_text or account.display_name, **window}
        params.update({"extras": EXTRAS, "per_page": min(self.page_size, 500), "page": 1})
        photos: list[ParsedPage] = []
        while True:
            page, stop = self.call(method, params, account, result, photos)
            if stop:
                result.stopped_reason = stop
                return result
            if not page.next_token:
                break
            params = {**params, "page": int(page.next_token)}
        parsed += photos
        for page in photos:
            for item in page.items:
                if not item.external_id or not as_int(item.metrics.get("reply_count")):
                    continue
                q: dict[str, Any] = {"photo_id": item.external_id}
                if since is not None:
                    q["min_comment_date"] = int(since.timestamp())
                _, stop = self.call("flickr.photos.comments.getList", q, account, result, parsed)
                if stop:
                    result.stopped_reason = stop
                    return result
        result.complete = True
        result.newest_id = newest_stamp(parsed)
        return result


__all__ = ["FlickrConnector", "parse_flickr_page", "as_list"]
