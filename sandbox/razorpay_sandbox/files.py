"""The sandbox's files are its owner's alone: folders 0700, files 0600, written atomically.

Its keys, webhook secret, customers, payments and cards live under DATA_DIR/sandbox. A copy of
the service's `api/private_files.py` (the sandbox imports nothing of the service, so that it can
leave for a package of its own).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
OPEN_TO_OTHERS = 0o077


def private_dir(path: Path) -> Path:
    """`path` exists, it and every folder created for it 0700; an existing `path` an older
    version left open is tightened (unless it is not ours, or a shared sticky folder like /tmp)."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
    found = path.stat()
    mine = found.st_uid == os.getuid() and not found.st_mode & stat.S_ISVTX
    if mine and found.st_mode & OPEN_TO_OTHERS:
        path.chmod(FOLDER_MODE)
    return path


def write_private(path: Path, text: str) -> None:
    """Replace `path` whole (readers see the old file or the new one, never half of one)."""
    os.replace(_private_tmp(path, text), path)


def publish_once(path: Path, text: str) -> None:
    """Write `path` unless it exists; when two processes race, the first to publish wins."""
    tmp = _private_tmp(path, text)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def _private_tmp(path: Path, text: str) -> Path:
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return tmp
