"""Atomic file replacement: readers never see half a file, a crash never leaves one.

Every output (Parquet tables, JSON summaries, HTML reports, exported images) is written
through :func:`replace_atomically`: the writer fills a temporary file in the target's folder
(same filesystem, so the rename is atomic), which then replaces the target with
``os.replace``.  On any failure the temporary file is removed and the previous file, if
any, is left untouched.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["Extras", "replace_atomically", "write_bytes", "write_extras", "write_text"]

#: Files a higher layer adds to a results folder: file name -> a callable returning its
#: content (text or bytes), called only when the file is about to be written.
Extras = Mapping[str, Callable[[], "str | bytes"]]


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, flushed to disk) to ``path`` so that readers never see half a
    file.  The parent directory must exist."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    return replace_atomically(path, write)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically.  The parent directory must exist."""
    return replace_atomically(path, lambda tmp: Path(tmp).write_bytes(data))


def write_extras(folder: Path, extras: Extras | None) -> list[Path]:
    """Write each of ``extras`` into ``folder``, in order; each content is produced in memory
    first, so a failure while making it leaves the previous file (if any) in place."""
    written = []
    for name, make in (extras or {}).items():
        content = make()
        written.append(write_bytes(folder / name, content) if isinstance(content, bytes)
                       else write_text(folder / name, content))
    return written


def replace_atomically(path: str | os.PathLike[str], writer: Callable[[str], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path``.  The file gets the old
    file's mode, or rw-r--r-- (``mkstemp`` would leave it owner-only)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        writer(tmp)
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target
