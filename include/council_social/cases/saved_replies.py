"""Saved replies filled in for a case, and council links tagged for channel-shift reporting."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from council_social.cases.reply_checks import URL, council_domain


class SavedReplyError(ValueError):
    pass


def saved_reply(config, key: str):
    for saved in config.cases.saved_replies:
        if saved.key == key:
            return saved
    keys = ", ".join(s.key for s in config.cases.saved_replies) or "(none configured)"
    raise SavedReplyError(f"no saved reply {key!r}; saved replies are: {keys}")


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part[:1].isalpha()).upper()


def fill(saved, *, handle: str | None, name: str | None, officer: str) -> str:
    """The saved text with its placeholders filled in ({link} untagged: tagging comes later)."""
    return saved.text.format(handle=(handle or "").lstrip("@"), name=name or handle or "there",
                             link=saved.link or "", officer=officer, initials=initials(officer))


def is_council_link(config, url: str) -> bool:
    domain = council_domain(config)
    host = (urlsplit(url).hostname or "").lower()
    return bool(domain) and (host == domain or host.endswith("." + domain))


def tag_link(config, url: str, *, platform: str, saved_key: str | None, service: str | None
             ) -> str:
    """The URL with `cases.replies.link_tags` added (ones it already has are kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    have = {k for k, _ in query}
    values = {"platform": platform, "saved_key": saved_key or "free-text",
              "service": service or "none"}
    for name, template in config.cases.replies.link_tags.items():
        if name not in have:
            query.append((name, template.format(**values)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def tag_links(config, text: str, *, platform: str, saved_key: str | None,
              service: str | None) -> tuple[str, str | None]:
    """Tag every council link in `text`; return the text and the first council link given."""
    first: list[str] = []

    def sub(m) -> str:
        url = m.group(0).rstrip(".,;:!?)")
        tail = m.group(0)[len(url):]
        if not is_council_link(config, url):
            return m.group(0)
        tagged = tag_link(config, url, platform=platform, saved_key=saved_key, service=service)
        first.append(tagged)
        return tagged + tail

    return URL.sub(sub, text), (first[0] if first else None)
