"""Whether an error was caused by an error of some kind: itself, or one it was raised from or
while handling. A handler's cleanup that fails too must not hide what went wrong first."""

from __future__ import annotations


def caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
