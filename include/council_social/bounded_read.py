"""Read a file the user named without letting it exhaust the machine.

Only a regular file is read, and never more than a limit: a FIFO, a device such
as /dev/zero (directly or through a symbolic link) or a directory is refused at
once. The file is opened non-blocking so opening a FIFO cannot hang, and checked
with fstat on the open descriptor, so it cannot be swapped after the check.
"""

from __future__ import annotations

import os
import stat
import sys

# Bigger than any council.yaml, request, planner or training CSV a person writes.
DEFAULT_LIMIT = 64 * 1024 * 1024


class InputRefused(ValueError):
    """The file is not a regular file, is too big, or cannot be opened; one line says which."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _mib(limit: int) -> str:
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if limit >= size:
            return f"{limit / size:g} {unit}"
    return f"{limit} bytes"


def read_bytes(path: str | os.PathLike[str], limit: int = DEFAULT_LIMIT) -> bytes:
    """The whole file, if it is a regular file of at most `limit` bytes; else InputRefused.

    `-` reads standard input (up to the limit, whatever kind of stream it is)."""
    name = os.fspath(path)
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise InputRefused(f"{name}: cannot read: {exc.strerror or exc}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise InputRefused(f"{name}: {_kind(info.st_mode)}, not a regular file; not read")
            if info.st_size > limit:
                raise InputRefused(f"{name}: larger than {_mib(limit)}; not read")
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(limit + 1)  # a file growing while read is still cut at the limit
        except OSError as exc:
            raise InputRefused(f"{name}: cannot read: {exc.strerror or exc}") from None
        finally:
            os.close(fd)
    if len(data) > limit:
        raise InputRefused(f"{name}: larger than {_mib(limit)}; not read")
    return data


def read_text(path: str | os.PathLike[str], limit: int = DEFAULT_LIMIT) -> str:
    """`read_bytes` decoded as UTF-8 (a byte-order mark dropped); InputRefused if it is not."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRefused(f"{os.fspath(path)}: not UTF-8 text (byte {exc.start})") from None
