"""What a publisher (X, Facebook) raises, so `publish` treats every channel alike.

A network error or a 5xx/429 is left as it is: the post may or may not have
gone out, and the retry checks the channel before posting again.
"""

from __future__ import annotations


class PostRejected(RuntimeError):
    """The platform refused the post for good (4xx other than rate limits)."""


class DuplicatePost(PostRejected):
    """The platform says this account already posted this text."""


class PostAuthError(PostRejected):
    """The platform refused the credential (expired or revoked token): a channel problem,
    not the entry's, so the attempt may be tried again once the token is renewed."""
