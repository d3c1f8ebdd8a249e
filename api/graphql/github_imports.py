"""`startGithubImport` and `githubImports`: the Pro feature, behind `feature:github_import`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.documents import GithubImport
from api.documents.imports import ImportStatus
from api.graphql.billing_context import billing_of, signed_in_user
from api.graphql.context import Info
from api.graphql.errors import bad_input
from api.graphql.guards import guard
from api.imports.github import MAX_PAGE, imports_of, parse_repository_url, request_import
from api.ratelimit import Budget

# The stored status itself, so the schema's values cannot drift from it.
strawberry.enum(
    ImportStatus,
    name="GithubImportStatus",
    description="Where an import stands; the product's importer moves it on.",
)


@strawberry.type(name="GithubImport", description="A request to import a GitHub repository.")
class GithubImportType:
    id: strawberry.ID
    repository_url: str
    owner: str
    repository: str
    status: ImportStatus
    requested_at: datetime


def github_import_type(request: GithubImport) -> GithubImportType:
    return GithubImportType(
        id=strawberry.ID(str(request.id)),
        repository_url=request.repository_url,
        owner=request.owner,
        repository=request.repository,
        status=request.status,
        requested_at=request.requested_at,
    )


@strawberry.type
class GithubImportQuery:
    @strawberry.field(
        description=f"The viewer's import requests, newest first; `first` at most {MAX_PAGE}.",
        extensions=[guard("feature", "github_import")],
    )
    async def github_imports(self, info: Info, first: int = 20) -> list[GithubImportType]:
        if not 1 <= first <= MAX_PAGE:
            raise bad_input(f"`first` must be between 1 and {MAX_PAGE}.", argument="first")
        user = await signed_in_user(info)
        assert user.id is not None
        return [github_import_type(r) for r in await imports_of(user.id, first=first)]


@strawberry.type
class GithubImportMutation:
    @strawberry.mutation(
        description="Queue an import of https://github.com/<owner>/<repo> (Pro). Asking again "
        "while it is queued returns the same request.",
        extensions=[guard("feature", "github_import", limit=Budget.GITHUB_IMPORT)],
    )
    async def start_github_import(self, info: Info, repository_url: str) -> GithubImportType:
        repository = parse_repository_url(repository_url)
        if repository is None:
            raise bad_input(
                "`repositoryUrl` must be https://github.com/<owner>/<repository>, nothing more.",
                argument="repositoryUrl",
            )
        user = await signed_in_user(info)
        assert user.id is not None
        request = await request_import(user.id, repository, billing_of(info).now())
        return github_import_type(request)
