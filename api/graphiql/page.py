"""GraphiQL's page pointed at the service's own copies of its files, and the route serving them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

from api.graphiql.pins import ASSETS, STAMP

ASSETS_URL = "/graphql/assets"
# Any script, style or font the page would still fetch from elsewhere.
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


class TemplateChanged(RuntimeError):
    """Strawberry's GraphiQL page no longer names the pinned files (an upgrade): re-pin them."""


@dataclass(frozen=True)
class OfflineGraphiQL:
    page: str
    assets: Mount


def offline_page(template: str, prefix: str = ASSETS_URL) -> str:
    """`template` with each pinned CDN address replaced by `prefix`; the integrity pins stay."""
    page = template
    for asset in ASSETS:
        if asset.cdn_url not in page or asset.integrity not in page:
            raise TemplateChanged(
                f"Strawberry's GraphiQL page no longer loads {asset.cdn_url} with "
                f"{asset.integrity}: update api/graphiql/pins.py to what it loads now."
            )
        page = page.replace(asset.cdn_url, f"{prefix}/{asset.local_path}")
    if leftover := REMOTE.search(page):
        raise TemplateChanged(f"Strawberry's GraphiQL page loads an unpinned file: {leftover[0]}…")
    return page


def installed(folder: Path) -> bool:
    return (folder / STAMP).is_file()


def offline_graphiql(folder: Path) -> OfflineGraphiQL | None:
    """The page and the route of its files, or None when set-up has not installed them."""
    if not installed(folder):
        return None
    return OfflineGraphiQL(
        page=offline_page(get_graphql_ide_html("graphiql")),
        assets=Mount(ASSETS_URL, app=StaticFiles(directory=folder), name="graphiql-assets"),
    )
