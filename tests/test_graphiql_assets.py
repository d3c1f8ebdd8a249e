"""GraphiQL's page names only the service's own copies of its files, each the pinned one."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from strawberry.http.ides import get_graphql_ide_html

from api.graphiql.page import TemplateChanged, offline_page
from api.graphiql.pins import ASSETS, integrity_of
from api.settings import Settings
from tests.own_app import own_app

TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.DOTALL)
ADDRESS = re.compile(r"""\b(?:src|href)="([^"]+)\"""")
INTEGRITY = re.compile(r"""\bintegrity="([^"]+)\"""")


@pytest.mark.asyncio(loop_scope="session")
async def test_graphiql_loads_each_pinned_file_from_the_service(client: httpx.AsyncClient) -> None:
    # given GraphiQL's page (set-up installed its files)
    page = await client.get("/graphql", headers={"accept": "text/html"})
    tags = [tag for tag in TAG.findall(page.text) if ADDRESS.search(tag)]
    loaded = {_address(tag): _integrity(tag) for tag in tags if "data:" not in _address(tag)}

    # then it loads the seven pinned files, from the service, each exactly the pinned bytes
    assert sorted(loaded.values()) == sorted(asset.integrity for asset in ASSETS)
    for address, integrity in loaded.items():
        assert address.startswith("/graphql/assets/"), address
        served = await client.get(address)
        assert served.status_code == 200, f"{address}: {served.status_code} (run `make setup`)"
        assert integrity_of(served.content) == integrity, address


@pytest.mark.asyncio(loop_scope="session")
async def test_without_its_files_graphiql_falls_back_to_the_cdn(
    settings: Settings, data_dir: Path, tmp_path: Path
) -> None:
    # given a service whose set-up did not install GraphiQL's files
    async with own_app(settings, data_dir, graphiql_assets_dir=tmp_path / "none") as app:
        # when GraphiQL is opened
        page = await app.client.get("/graphql", headers={"accept": "text/html"})
        asset = await app.client.get(f"/graphql/assets/{ASSETS[0].local_path}")

    # then it is Strawberry's own page, which loads them from the CDN
    assert page.status_code == 200
    assert ASSETS[0].cdn_url in page.text
    assert asset.status_code == 404


def test_a_template_loading_an_unpinned_file_is_refused() -> None:
    template = get_graphql_ide_html("graphiql")
    extra = '<script src="https://cdn.example/font-loader.js"></script></head>'

    with pytest.raises(TemplateChanged, match=r"unpinned file"):
        offline_page(template.replace("</head>", extra, 1))


def test_a_template_naming_another_version_is_refused() -> None:
    template = get_graphql_ide_html("graphiql").replace("graphiql@3.8.3", "graphiql@3.9.0")

    with pytest.raises(TemplateChanged, match=r"graphiql@3\.8\.3/graphiql\.min\.css"):
        offline_page(template)


def _address(tag: str) -> str:
    found = ADDRESS.search(tag)
    assert found is not None
    return found[1]


def _integrity(tag: str) -> str:
    found = INTEGRITY.search(tag)
    assert found is not None, f"no integrity pin on {tag}"
    return found[1]
