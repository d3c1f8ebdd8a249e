"""GraphiQL's page names only the service's own copies of its files, each the pinned one."""

from __future__ import annotations

import re

import httpx
import pytest
from strawberry.http.ides import get_graphql_ide_html

from api.graphiql.page import TemplateChanged, offline_page
from api.graphiql.pins import ASSETS, integrity_of

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
