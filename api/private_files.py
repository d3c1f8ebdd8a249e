"""Folders and files under DATA_DIR are the owner's alone: folders 0700, files 0600.

DATA_DIR holds the embedded database (every user's email address), its log and the dev JWT
secret; nobody else on the machine may read them. Every writer under DATA_DIR goes through here.
(The sandbox keeps a copy of these few lines in `sandbox/razorpay_sandbox/files.py`: it
imports nothing of the service, being a package of its own.)
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import BinaryIO

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


def publish_once(path: Path, text: str) -> None:
    """Write `path` (0600 from its first byte) unless it exists; when two processes race, the
    first to publish wins and the other's text is dropped."""
    private_dir(path.parent)
    tmp = _private_tmp(path, text)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def open_private_append(path: Path) -> BinaryIO:
    """`path` opened to append, 0600 (also when an older version created it open to others)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, "ab")


def _private_tmp(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return tmp
