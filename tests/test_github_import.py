"""GitHub import, the Pro feature: refused to free users with what to buy, queued once for Pro."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.documents import GithubImport, User
from api.imports.github import Repository, parse_repository_url
from tests.billing_calls import CANCEL, become_pro, call
from tests.builders import graphql, token
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

START = """mutation($url: String!) { startGithubImport(repositoryUrl: $url) {
  id repositoryUrl owner repository status requestedAt } }"""
LIST = "{ githubImports(first: 10) { id repositoryUrl status } }"
REPO = "https://github.com/octocat/Hello-World"


async def errors_of(
    client: httpx.AsyncClient, query: str, *, user: str = "user-1", **variables: Any
) -> list[dict[str, Any]]:
    response = await graphql(client, query, variables=variables, bearer=token(sub=user))
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


@pytest.mark.parametrize(
    ("url", "owner", "name"),
    [
        ("https://github.com/octocat/Hello-World", "octocat", "Hello-World"),
        ("https://github.com/a/b", "a", "b"),
        ("https://github.com/my-org/repo.name_x-1", "my-org", "repo.name_x-1"),
        ("https://github.com/octocat/.github", "octocat", ".github"),
        ("https://github.com/emu_user/r", "emu_user", "r"),
    ],
)
async def test_a_github_repository_url_is_accepted(url: str, owner: str, name: str) -> None:
    assert parse_repository_url(url) == Repository(owner=owner, name=name)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://github.com/octocat/hello",
        "HTTPS://github.com/octocat/hello",
        "https://gitlab.com/octocat/hello",
        "https://www.github.com/octocat/hello",
        "https://github.com.evil.example/octocat/hello",
        "https://user@github.com/octocat/hello",
        "https://github.com:443/octocat/hello",
        "https://github.com/octocat",
        "https://github.com/octocat/",
        "https://github.com/octocat/hello/",
        "https://github.com/octocat/hello/tree/main",
        "https://github.com/octocat/hello?tab=readme",
        "https://github.com/octocat/hello#readme",
        "https://github.com/octocat/..",
        "https://github.com/octocat/.",
        "https://github.com/../hello",
        "https://github.com/-octocat/hello",
        "https://github.com/octo cat/hello",
        "https://github.com/octocat/hel%2Flo",
        " https://github.com/octocat/hello",
        "https://github.com/octocat/hello\n",
        "https://github.com/" + "o" * 40 + "/hello",
        "https://github.com/octocat/" + "r" * 101,
    ],
)
async def test_anything_but_a_github_repository_url_is_refused(url: str) -> None:
    assert parse_repository_url(url) is None


async def test_github_import_needs_pro_works_once_paid_and_stops_when_access_ends(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a free user, refused with what to buy
    refused = await errors_of(client, START, url=REPO)
    assert [e["extensions"] for e in refused] == [
        {
            "code": "UPGRADE_REQUIRED",
            "feature": "github_import",
            "plan": "pro",
            "permission": "feature:github_import",
        }
    ]
    assert await GithubImport.count() == 0

    # when they pay through the sandbox, the same call succeeds and is listed
    await become_pro(client, sandbox)
    started = (await call(client, START, url=REPO))["startGithubImport"]
    assert (started["repositoryUrl"], started["owner"], started["repository"]) == (
        REPO,
        "octocat",
        "Hello-World",
    )
    assert started["status"] == "QUEUED"
    listed = (await call(client, LIST))["githubImports"]
    assert listed == [{"id": started["id"], "repositoryUrl": REPO, "status": "QUEUED"}]

    # then the moment access ends, it is refused again, and nothing more is queued
    await call(client, CANCEL, end=False)
    assert [e["extensions"]["code"] for e in await errors_of(client, START, url=REPO)] == [
        "UPGRADE_REQUIRED"
    ]
    assert await GithubImport.count() == 1


async def test_a_double_click_queues_one_import(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)

    results = await asyncio.gather(*(call(client, START, url=REPO) for _ in range(5)))
    again = await call(client, START, url=REPO.lower())  # GitHub names ignore case

    ids = {r["startGithubImport"]["id"] for r in [*results, again]}
    assert len(ids) == 1
    assert await GithubImport.count() == 1


async def test_an_invalid_url_is_bad_input_and_queues_nothing(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)

    errors = await errors_of(client, START, url="https://github.com/octocat/hello/tree/main")

    assert [(e["extensions"]["code"], e["extensions"]["argument"]) for e in errors] == [
        ("BAD_USER_INPUT", "repositoryUrl")
    ]
    assert await GithubImport.count() == 0


async def test_each_user_lists_only_their_own_imports(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox, user="user-1")
    await become_pro(client, sandbox, user="user-2")
    await call(client, START, user="user-1", url=REPO)

    assert len((await call(client, LIST, user="user-1"))["githubImports"]) == 1
    assert (await call(client, LIST, user="user-2"))["githubImports"] == []


async def test_a_refusal_to_a_first_time_caller_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    # given a subject never seen before, refused because they are not Pro
    errors = await errors_of(client, START, user="never-seen", url=REPO)

    # then deciding that read their grant but wrote nothing: not even their user
    assert [e["extensions"]["code"] for e in errors] == ["UPGRADE_REQUIRED"]
    assert await User.count() == 0


async def test_github_imports_page_size_is_bounded(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)

    errors = await errors_of(client, "{ githubImports(first: 0) { id } }")

    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
