"""Sending mail: the SMTP Connection through the SMTP provider's hook, else an outbox folder."""

from __future__ import annotations

from contextlib import contextmanager

from council_social.airflow.connections import connection

# The demo (and a developer without a mail server) points this at a folder: digests are
# written there as .eml files when the SMTP Connection does not exist.
OUTBOX_ENV_VAR = "COUNCIL_SOCIAL_OUTBOX"


class SmtpHookSender:
    """smtplib's `send_message` over the SMTP provider's public `send_email_smtp`.

    The hook builds its own MIME message from HTML and files, so the message is
    taken apart: the HTML part (else the plain text, escaped), the headers that
    matter, and inline images as files named by their Content-ID, which the hook
    attaches under that same Content-ID so `cid:` references still resolve.
    """

    KEPT_HEADERS = ("Message-ID", "Reply-To", "In-Reply-To", "References")

    def __init__(self, hook):
        self.hook = hook

    def send_message(self, msg) -> None:
        import html
        import tempfile
        from email.utils import getaddresses
        from pathlib import Path

        def addresses(name: str) -> list[str]:
            return [addr for _, addr in getaddresses(msg.get_all(name, [])) if addr]

        body = msg.get_body(preferencelist=("html", "plain"))
        content = body.get_content() if body is not None else ""
        if body is not None and body.get_content_type() == "text/plain":
            content = f"<pre>{html.escape(content)}</pre>"
        headers = {k: str(msg[k]) for k in self.KEPT_HEADERS if msg[k] is not None}
        with tempfile.TemporaryDirectory(prefix="council-social-mail-") as tmp:
            files = []
            for part in msg.walk():
                cid = part.get("Content-ID")
                if part.is_multipart() or part is body or not cid:
                    continue
                name = Path(cid.strip("<> ")).name or f"part{len(files)}"
                path = Path(tmp) / name
                path.write_bytes(part.get_payload(decode=True) or b"")
                files.append(str(path))
            self.hook.send_email_smtp(
                to=addresses("To"), cc=addresses("Cc") or None,
                from_email=str(msg["From"]) if msg["From"] else None,
                subject=str(msg["Subject"] or ""), html_content=content, files=files,
                mime_subtype="related" if files else "mixed", custom_headers=headers,
            )


@contextmanager
def mail_sender(conn_id: str):
    """Yield (sender, transport): the SMTP Connection `conn_id`, else the outbox folder."""
    import os

    if connection(conn_id) is None:
        outbox = os.environ.get(OUTBOX_ENV_VAR)
        if not outbox:
            raise RuntimeError(
                f"Airflow Connection {conn_id!r} (SMTP) is missing; see README, "
                "'Response cases and FoI'."
            )
        from council_social.cases.notify import OutboxSender

        yield OutboxSender(outbox), "outbox"
        return
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=conn_id) as hook:
        yield SmtpHookSender(hook), "smtp"
