"""Dormant accounts: no own post for `governance.dormant_after_days` raises one alert.

The strategy gives each account "an implicit duty to create regular, fresh,
interesting content". The alert is keyed on the moment the account went
dormant, so a daily rerun finds it already raised and tells nobody twice; the
owning team and the web team get one message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from council_social.governance.accounts import list_accounts
from council_social.reports.repo import mark_notified, raise_once

KIND = "dormant_account"


def dormant_message(config, alert: dict, to: list[str], sent_at: datetime) -> EmailMessage:
    from council_social.reports.mail import from_address

    msg = EmailMessage()
    msg["Subject"] = f"{config.council.short_name} social: {alert['message']}"
    msg["From"] = from_address(config)
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = f"<dormant-{alert['subject']}-{alert['window_start']:%Y%m%dT%H%M}@council-social>"
    msg.set_content(
        f"{alert['message']}.\n\nThe strategy asks every account for regular, fresh, interesting "
        "content. Post again, or ask the web team to close the account.\n")
    return msg


def raise_dormant_alerts(engine, config, now: datetime, sender) -> list[dict]:
    """Raise (once) and send an alert for each dormant registry account; returns the new ones."""
    from council_social.reports.alerts import web_team_key
    from council_social.reports.mail import recipients

    days = config.governance.dormant_after_days
    raised = []
    with engine.begin() as conn:
        for a in list_accounts(conn, config, now, dormant_only=True)["accounts"]:
            went_dormant = a["quiet_since"] + timedelta(days=days)
            last = f"last own post {a['last_own_post']:%d %b %Y}" if a["last_own_post"] else "no own post seen"
            row = {"kind": KIND, "subject": f"account:{a['key']}", "window_start": went_dormant,
                   "window_end": now, "team": a["owner"], "observed": (now - a["quiet_since"]).days,
                   "expected": float(days), "score": None,
                   "message": f"{a['platform']} account @{a['handle']} ({a['owner']}) is dormant: {last}",
                   "detail": {"account": a["key"], "owner": a["owner"], "web_team": web_team_key(config),
                              "quiet_since": a["quiet_since"].isoformat()},
                   "raised_for": now}
            if not raise_once(conn, row):
                continue
            owner = next((t.email for t in config.teams if t.key == a["owner"]), None)
            to = list(dict.fromkeys([*([owner] if owner else []), *recipients(config)]))
            sender.send_message(dormant_message(config, row, to, now))
            mark_notified(conn, KIND, row["subject"], went_dormant, now)
            raised.append({**row, "to": to})
    return raised
