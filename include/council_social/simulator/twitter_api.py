"""X API v2 semantics over the traffic model, independent of any socket.

`TwitterApi.handle(method, path, query, headers)` returns (status, headers,
body bytes) exactly as X would: same JSON shapes, error bodies, pagination,
rate-limit headers. `server.py` puts it on 127.0.0.1.
"""

from __future__ import annotations

import base64
import dataclasses
import hmac
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from council_social.simulator.traffic import SimTweet, SimUser, TrafficModel

WINDOW_SECONDS = 15 * 60
# App-only (bearer) limits per 15 minutes, as X documents them.
DEFAULT_RATE_LIMITS = {
    "mentions": 450,
    "user_tweets": 1500,
    "search_recent": 450,
    "users": 300,
    "tweets_lookup": 3500,
    "follows": 15,  # GET /2/users/:id/followers and /following: 15 per 15 minutes
}
SEARCH_LOOKBACK = timedelta(days=7)
MENTIONS_CAP = 800  # X serves at most the most recent 800 mentions
TIMELINE_CAP = 3200  # ... and 3200 of a user's own tweets

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                "detail": "Unauthorized"}
TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests",
            "type": "about:blank", "status": 429}
NOT_FOUND_ROUTE = {"errors": [{"message": "The requested resource could not be found."}],
                   "title": "Not Found Error",
                   "detail": "Sorry, that page does not exist.",
                   "type": "https://api.twitter.com/2/problems/resource-not-found"}

USER_ROUTES = (
    (re.compile(r"^/2/users/(\d+)/mentions$"), "mentions"),
    (re.compile(r"^/2/users/(\d+)/tweets$"), "user_tweets"),
    (re.compile(r"^/2/users/(\d+)/followers$"), "followers"),
    (re.compile(r"^/2/users/(\d+)/following$"), "following"),
    (re.compile(r"^/2/tweets/search/recent$"), "search_recent"),
    (re.compile(r"^/2/users/by/username/(\w{1,15})$"), "user_by_username"),
    (re.compile(r"^/2/users/(\d+)$"), "user_by_id"),
    (re.compile(r"^/2/users$"), "users_by_ids"),
    (re.compile(r"^/2/tweets$"), "tweets_by_ids"),
)
RATE_KEY = {"mentions": "mentions", "user_tweets": "user_tweets",
            "search_recent": "search_recent", "user_by_username": "users",
            "user_by_id": "users", "users_by_ids": "users", "tweets_by_ids": "tweets_lookup",
            "followers": "follows", "following": "follows"}


class _BadRequest(Exception):
    def __init__(self, body: dict[str, Any]):
        super().__init__(body.get("detail"))
        self.body = body


def _invalid(param: str, value: str, message: str) -> _BadRequest:
    return _BadRequest({
        "errors": [{"parameters": {param: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    })


def _not_found_user(value: str, parameter: str) -> dict[str, Any]:
    what = "id" if parameter in ("id", "ids") else "username"
    return {"value": value, "detail": f"Could not find user with {what}: [{value}].",
            "title": "Not Found Error", "resource_type": "user", "parameter": parameter,
            "resource_id": value,
            "type": "https://api.twitter.com/2/problems/resource-not-found"}


def encode_token(until_id: int) -> str:
    # Opaque, lowercase like X's tokens; it just carries "older than this id".
    return base64.b32encode(f"p1:{until_id}".encode()).decode().lower().rstrip("=")


def decode_token(token: str) -> int | None:
    try:
        pad = "=" * (-len(token) % 8)
        raw = base64.b32decode(token.upper() + pad).decode()
        prefix, value = raw.split(":", 1)
        return int(value) if prefix == "p1" else None
    except (ValueError, UnicodeDecodeError):
        return None


def _parse_time(param: str, value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        dt = None
    if dt is None or dt.tzinfo is None:
        raise _invalid(param, value, f"Invalid '{param}':'{value}'. '{param}' must be a "
                       "valid RFC 3339 timestamp (YYYY-MM-DDTHH:mm:ssZ).")
    return dt.astimezone(UTC)


def _csv(query: dict[str, list[str]], name: str) -> list[str]:
    return [p for v in query.get(name, []) for p in v.split(",") if p]


@dataclass
class _Window:
    started: float
    used: int


class SearchQuery:
    """The subset of X search syntax the simulator needs.

    Clauses separated by OR; within a clause, terms are ANDed. Terms: "@handle",
    "quoted phrase", word, from:handle, to:handle, is:reply, is:retweet, and
    any of them negated with a leading '-'. Parentheses are ignored.
    """

    TOKEN = re.compile(r'-?"[^"]*"|\S+')

    def __init__(self, text: str):
        self.text = text
        clauses: list[list[tuple[bool, str]]] = [[]]
        for tok in self.TOKEN.findall(text.replace("(", " ").replace(")", " ")):
            if tok == "OR":
                clauses.append([])
                continue
            neg = tok.startswith("-") and len(tok) > 1
            clauses[-1].append((neg, tok[1:] if neg else tok))
        self.clauses = [c for c in clauses if c]

    def matches(self, t: SimTweet, model: TrafficModel) -> bool:
        return any(all(self._term(term, t, model) != neg for neg, term in clause)
                   for clause in self.clauses)

    @staticmethod
    def _term(term: str, t: SimTweet, model: TrafficModel) -> bool:
        text = t.text.lower()
        low = term.lower()
        author = model.user_by_id(t.author_id)
        if low.startswith("from:"):
            return author is not None and author.username.lower() == low[5:]
        if low.startswith("to:"):
            target = model.user_by_username(low[3:])
            return target is not None and t.in_reply_to_user_id == target.id
        if low == "is:reply":
            return t.in_reply_to_user_id is not None
        if low == "is:retweet":
            return any(kind == "retweeted" for kind, _ in t.referenced_tweets)
        if low.startswith('"') and low.endswith('"') and len(low) >= 2:
            return low[1:-1] in text
        if low.startswith("@"):
            return re.search(rf"@{re.escape(low[1:])}\b", text) is not None
        return re.search(rf"(?<![\w@#]){re.escape(low)}\b", text) is not None



def sim_user_token(bearer_token: str, user_id: str) -> str:
    """The simulator's user-context token for a council account (no secret: derived from
    the simulator's dummy bearer token), so `make up` can give the X Connection its
    `user_tokens` without asking the simulator."""
    digest = hmac.new(bearer_token.encode(), f"user:{user_id}".encode(), "sha256")
    return "sim-user-" + digest.hexdigest()[:32]

class TwitterApi:
    def __init__(self, model: TrafficModel, *, bearer_token: str,
                 now: Callable[[], datetime],
                 rate_limits: dict[str, int] | None = None):
        self.model = model
        self.bearer_token = bearer_token
        self.now = now
        self.rate_limits = {**DEFAULT_RATE_LIMITS, **(rate_limits or {})}
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _Window] = {}
        self._forced_429: list[float] = []  # reset offsets, consumed one per request
        self._posted: list[SimTweet] = []  # created with POST /2/tweets
        # Edits and deletions made after the fact (the model itself is immutable).
        self._edited: dict[int, str] = {}
        self._deleted: set[int] = set()

    # ------------------------------------------------------------- test hooks
    def inject_429(self, count: int = 1, reset_in_seconds: float = 1.0) -> None:
        with self._lock:
            self._forced_429.extend([reset_in_seconds] * count)

    def edit_tweet(self, tweet_id: int, text: str) -> None:
        """From now on the tweet reads `text` (in place, as Facebook edits; X gives an
        edit a new id listed in edit_history_tweet_ids)."""
        with self._lock:
            self._edited[int(tweet_id)] = text

    def delete_tweet(self, tweet_id: int) -> None:
        """From now on the tweet is gone: lookups answer Not Found, timelines omit it."""
        with self._lock:
            self._deleted.add(int(tweet_id))

    def _current(self, t: SimTweet) -> SimTweet:
        text = self._edited.get(t.id)
        return t if text is None else dataclasses.replace(t, text=text)

    # ---------------------------------------------------------------- entry
    def handle(self, method: str, path: str, query: dict[str, list[str]],
               headers: dict[str, str], body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if method == "POST" and path == "/2/tweets":
            return self._create_tweet(auth, body)
        if not (auth.startswith("Bearer ")
                and hmac.compare_digest(auth[7:].encode(), self.bearer_token.encode())):
            return self._json(401, UNAUTHORIZED)
        route = next(((name, m) for rx, name in USER_ROUTES
                      if (m := rx.match(path))), None)
        if method != "GET" or route is None:
            return self._json(404, NOT_FOUND_ROUTE)
        name, match = route
        limit_headers, limited = self._take_rate(auth[7:], RATE_KEY[name])
        if limited:
            return self._json(429, TOO_MANY, limit_headers)
        try:
            body = getattr(self, f"_{name}")(match, query)
        except _BadRequest as e:
            return self._json(400, e.body, limit_headers)
        return self._json(200, body, limit_headers)

    @staticmethod
    def _json(status: int, body: dict[str, Any], extra: dict[str, str] | None = None
              ) -> tuple[int, dict[str, str], bytes]:
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"content-type": "application/json; charset=utf-8"}
        if status == 401:
            headers["www-authenticate"] = 'Bearer realm="api"'
        headers.update(extra or {})
        return status, headers, raw

    def _take_rate(self, token: str, key: str) -> tuple[dict[str, str], bool]:
        now = self.now().timestamp()
        limit = self.rate_limits[key]
        with self._lock:
            w = self._windows.get((token, key))
            if w is None or now >= w.started + WINDOW_SECONDS:
                w = self._windows[(token, key)] = _Window(started=now, used=0)
            reset = int(w.started + WINDOW_SECONDS)
            if self._forced_429:
                reset = int(now + self._forced_429.pop(0))
                return self._limit_headers(limit, 0, reset), True
            if w.used >= limit:
                return self._limit_headers(limit, 0, reset), True
            w.used += 1
            return self._limit_headers(limit, limit - w.used, reset), False

    @staticmethod
    def _limit_headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
        return {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining),
                "x-rate-limit-reset": str(reset)}

    # ------------------------------------------------------------- timelines
    def _mentions(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        user = self.model.user_by_id(m.group(1))
        if user is None:
            return {"errors": [_not_found_user(m.group(1), "id")]}
        return self._timeline(q, lambda t: user.id in t.mentioned_user_ids and
                              t.author_id != user.id, 5, MENTIONS_CAP, "pagination_token")

    def _user_tweets(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        user = self.model.user_by_id(m.group(1))
        if user is None:
            return {"errors": [_not_found_user(m.group(1), "id")]}
        return self._timeline(q, lambda t: t.author_id == user.id, 5, TIMELINE_CAP,
                              "pagination_token")

    def _search_recent(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        text = (q.get("query") or [""])[0]
        if not text.strip():
            raise _BadRequest({
                "errors": [{"parameters": {"query": []},
                            "message": "The `query` query parameter can not be empty"}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request"})
        sq = SearchQuery(text)
        token_param = "next_token" if "next_token" in q else "pagination_token"
        return self._timeline(q, lambda t: sq.matches(t, self.model), 10, None, token_param,
                              lookback=SEARCH_LOOKBACK)

    def _timeline(self, q: dict[str, list[str]], keep: Callable[[SimTweet], bool],
                  min_results: int, cap: int | None, token_param: str,
                  lookback: timedelta | None = None) -> dict[str, Any]:
        now = self.now().astimezone(UTC)
        max_raw = (q.get("max_results") or ["10"])[0]
        try:
            max_results = int(max_raw)
        except ValueError:
            max_results = -1
        if not min_results <= max_results <= 100:
            raise _invalid("max_results", max_raw,
                           f"The `max_results` query parameter value [{max_raw}] is not "
                           f"between {min_results} and 100")
        start = end = None
        if q.get("start_time"):
            start = _parse_time("start_time", q["start_time"][0])
        if q.get("end_time"):
            end = _parse_time("end_time", q["end_time"][0])
        floor = now - (lookback or SEARCH_LOOKBACK)
        if lookback is not None and start is not None and start < floor:
            v = q["start_time"][0]
            raise _invalid("start_time", v, f"Invalid 'start_time':'{v}'. 'start_time' must "
                           f"be on or after {floor.strftime('%Y-%m-%dT%H:%MZ')}")
        if start is not None and end is not None and end <= start:
            v = q["end_time"][0]
            raise _invalid("end_time", v, f"Invalid 'end_time':'{v}'. 'end_time' must be "
                           "after 'start_time'")
        since_id = self._id_param(q, "since_id")
        until_id = self._id_param(q, "until_id")
        token = (q.get(token_param) or [None])[0]
        page_until = None
        if token is not None:
            page_until = decode_token(token)
            if page_until is None:
                raise _invalid(token_param, token, f"The `{token_param}` query parameter "
                               f"value [{token}] is not a valid token")

        # Never serve the future; unbounded queries look back a week (enough
        # for the caps below without generating years of history).
        lo = max(start or floor, floor) if lookback else (start or floor)
        hi = min(end or now, now)
        if hi <= lo:
            return {"meta": {"result_count": 0}}
        tweets = [t for t in self._with_posted(self.model.tweets_between(lo, hi), lo, hi)
                  if keep(t)]
        if cap is not None:
            tweets = tweets[:cap]
        tweets = [t for t in tweets
                  if t.id not in self._deleted
                  and (since_id is None or t.id > since_id)
                  and (until_id is None or t.id < until_id)
                  and (page_until is None or t.id < page_until)]
        page, more = tweets[:max_results], len(tweets) > max_results
        if not page:
            return {"meta": {"result_count": 0}}
        body: dict[str, Any] = {"data": self._render(page, q)}
        includes = self._includes(page, q)
        if includes:
            body["includes"] = includes
        meta: dict[str, Any] = {"newest_id": page[0].id_str, "oldest_id": page[-1].id_str,
                                "result_count": len(page)}
        if more:
            meta["next_token"] = encode_token(page[-1].id)
        body["meta"] = meta
        return body

    @staticmethod
    def _id_param(q: dict[str, list[str]], name: str) -> int | None:
        if not q.get(name):
            return None
        v = q[name][0]
        if not v.isdigit():
            raise _invalid(name, v, f"The `{name}` query parameter value [{v}] does not "
                           "match ^[0-9]{1,19}$")
        return int(v)

    def _render(self, tweets: list[SimTweet], q: dict[str, list[str]]) -> list[dict]:
        fields = _csv(q, "tweet.fields")
        return [self._current(t).to_api(fields) for t in tweets]

    def _includes(self, tweets: list[SimTweet], q: dict[str, list[str]]) -> dict[str, Any]:
        expansions = set(_csv(q, "expansions"))
        user_fields = _csv(q, "user.fields")
        user_ids: list[str] = []
        ref_tweets: list[SimTweet] = []
        for t in tweets:
            if "author_id" in expansions:
                user_ids.append(t.author_id)
            if "in_reply_to_user_id" in expansions and t.in_reply_to_user_id:
                user_ids.append(t.in_reply_to_user_id)
            if "entities.mentions.username" in expansions:
                user_ids.extend(t.mentioned_user_ids)
            if "referenced_tweets.id" in expansions:
                for _, rid in t.referenced_tweets:
                    ref = self.model.tweet_by_id(rid)
                    if ref is not None and ref not in ref_tweets:
                        ref_tweets.append(ref)
        out: dict[str, Any] = {}
        seen: dict[str, SimUser] = {}
        for uid in user_ids:
            u = self.model.user_by_id(uid)
            if u is not None and uid not in seen:
                seen[uid] = u
        if seen:
            out["users"] = [u.to_api(user_fields) for u in seen.values()]
        if ref_tweets:
            out["tweets"] = [t.to_api(_csv(q, "tweet.fields")) for t in ref_tweets]
        return out

    # --------------------------------------------------------------- follows
    def _followers(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        return self._follow_page(m, q, self.model.followers_of)

    def _following(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        return self._follow_page(m, q, self.model.following_of)

    def _follow_page(self, m: re.Match, q: dict[str, list[str]],
                     users_of: Callable[[str], list[SimUser]]) -> dict[str, Any]:
        """X's follows lookup: users newest first, up to max_results (1..1000, default
        100) a page, `meta.next_token` while more remain, `pagination_token` to go on."""
        if self.model.user_by_id(m.group(1)) is None:
            return {"errors": [_not_found_user(m.group(1), "id")]}
        raw = (q.get("max_results") or ["100"])[-1]
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise _invalid("max_results", raw, f"The `max_results` query parameter value "
                           f"[{raw}] is not between 1 and 1000")
        size = int(raw)
        offset = 0
        if q.get("pagination_token"):
            token = q["pagination_token"][-1]
            offset = decode_token(token) if token else None
            if offset is None:
                raise _invalid("pagination_token", token, "Invalid pagination token")
        users = users_of(m.group(1))
        page = users[offset:offset + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if offset + size < len(users):
            meta["next_token"] = encode_token(offset + size)
        if offset:
            meta["previous_token"] = encode_token(max(0, offset - size))
        if not page:
            return {"meta": meta}
        return {"data": [u.to_api(_csv(q, "user.fields")) for u in page], "meta": meta}

    # ----------------------------------------------------------------- users
    def _user_by_id(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        u = self.model.user_by_id(m.group(1))
        if u is None:
            return {"errors": [_not_found_user(m.group(1), "id")]}
        return {"data": u.to_api(_csv(q, "user.fields"))}

    def _user_by_username(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        u = self.model.user_by_username(m.group(1))
        if u is None:
            return {"errors": [_not_found_user(m.group(1), "username")]}
        return {"data": u.to_api(_csv(q, "user.fields"))}

    def _users_by_ids(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        ids = _csv(q, "ids")
        if not ids or len(ids) > 100:
            raise _invalid("ids", ",".join(ids), "The number of values in the `ids` query "
                           f"parameter list [{len(ids)}] is not between 1 and 100")
        data, errors = [], []
        for uid in ids:
            u = self.model.user_by_id(uid)
            if u is None:
                errors.append(_not_found_user(uid, "ids"))
            else:
                data.append(u.to_api(_csv(q, "user.fields")))
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return body

    # ---------------------------------------------------------------- tweets
    def _tweets_by_ids(self, m: re.Match, q: dict[str, list[str]]) -> dict[str, Any]:
        ids = _csv(q, "ids")
        if not ids or len(ids) > 100:
            raise _invalid("ids", ",".join(ids), "The number of values in the `ids` query "
                           f"parameter list [{len(ids)}] is not between 1 and 100")
        found, errors = [], []
        for tid in ids:
            t = self.model.tweet_by_id(int(tid)) if tid.isdigit() else None
            if t is None or t.id in self._deleted:
                errors.append({"value": tid, "detail": f"Could not find tweet with ids: [{tid}].",
                               "title": "Not Found Error", "resource_type": "tweet",
                               "parameter": "ids", "resource_id": tid,
                               "type": "https://api.twitter.com/2/problems/resource-not-found"})
            else:
                found.append(t)
        body: dict[str, Any] = {}
        if found:
            body["data"] = self._render(found, q)
            includes = self._includes(found, q)
            if includes:
                body["includes"] = includes
        if errors:
            body["errors"] = errors
        return body

    # ------------------------------------------------------- create tweet
    def user_token(self, user_id: str) -> str:
        """The simulated OAuth 2.0 user-context token of a council account."""
        return sim_user_token(self.bearer_token, user_id)

    @property
    def posted(self) -> list[SimTweet]:
        with self._lock:
            return list(self._posted)

    def _with_posted(self, generated: list[SimTweet], lo: datetime, hi: datetime
                     ) -> list[SimTweet]:
        """Generated tweets plus created ones (a tweet created at `now` counts), newest first."""
        with self._lock:
            extra = [t for t in self._posted if lo <= t.created_at <= hi]
        return sorted([*generated, *extra], key=lambda t: t.id, reverse=True)

    def _create_tweet(self, auth: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if token and hmac.compare_digest(token.encode(), self.bearer_token.encode()):
            return self._json(403, {
                "title": "Unsupported Authentication", "status": 403,
                "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this "
                          "endpoint.  Supported authentication types are [OAuth 1.0a User "
                          "Context, OAuth 2.0 User Context].",
                "type": "https://api.twitter.com/2/problems/unsupported-authentication"})
        user = next((u for u in self.model.council
                     if token and hmac.compare_digest(token.encode(),
                                                      self.user_token(u.id).encode())), None)
        if user is None:
            return self._json(401, UNAUTHORIZED)
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            doc = None
        text = doc.get("text") if isinstance(doc, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > 280:
            return self._json(400, {
                "errors": [{"message": "Tweet text must be 1 to 280 characters"}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request"})
        now = self.now().astimezone(UTC)
        with self._lock:
            if any(t.author_id == user.id and t.text == text for t in self._posted):
                return self._json(403, {
                    "detail": "You are not allowed to create a Tweet with duplicate content.",
                    "type": "about:blank", "title": "Forbidden", "status": 403})
            from council_social.simulator.traffic import snowflake

            # Sequence numbers from the top down: generated buckets count up from 0.
            tweet_id = snowflake(int(now.timestamp() * 1000), 0x3FFFFF - len(self._posted))
            reply = doc.get("reply") if isinstance(doc.get("reply"), dict) else {}
            parent_id = str(reply.get("in_reply_to_tweet_id") or "")
            parent = self.model.tweet_by_id(int(parent_id)) if parent_id.isdigit() else None
            mentioned = tuple(u.id for name in re.findall(r"@(\w{1,15})", text)
                              if (u := self.model.user_by_username(name)) is not None)
            tweet = SimTweet(
                tweet_id, user.id, text, now,
                parent.conversation_id if parent else tweet_id,
                "council_reply" if parent else "council_post",
                in_reply_to_user_id=parent.author_id if parent else None,
                referenced_tweets=(("replied_to", parent.id),) if parent else (),
                mentioned_user_ids=mentioned,
                public_metrics={"retweet_count": 0, "reply_count": 0, "like_count": 0,
                                "quote_count": 0, "bookmark_count": 0, "impression_count": 0})
            self._posted.append(tweet)
        return self._json(201, {"data": {"id": tweet.id_str, "text": text,
                                         "edit_history_tweet_ids": [tweet.id_str]}})
