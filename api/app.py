"""The composition root: `create_app(settings)` wires routes, middleware and the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from beanie import init_beanie
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import BaseRoute, Route

from api.clock import Clock, SystemClock
from api.documents import DOCUMENTS
from api.graphql.schema import build_schema
from api.graphql.view import GraphQLView
from api.identity.dev_secret import jwt_secret
from api.identity.tokens import TokenVerifier
from api.services import Services
from api.settings import ConfigurationError, Settings, check_startable
from api.web.auth import BearerTokenBackend, auth_error_response
from api.web.health import healthz, readyz
from api.web.logging import RequestLogMiddleware, configure_logging


def create_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    check_startable(settings)
    if settings.mongodb_uri is None:
        raise ConfigurationError(
            "No database: set MONGODB_URI, or start with `python -m api serve`, "
            "which starts the embedded one."
        )
    configure_logging(settings.log_level)
    verifier = TokenVerifier(jwt_secret(settings), settings.jwt_issuer, settings.jwt_audience)
    services_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            settings.mongodb_uri, tz_aware=True
        )
        database = mongo[settings.mongodb_db]
        try:
            await init_beanie(database=database, document_models=DOCUMENTS)
            app.state.services = Services(settings, services_clock, mongo, database, verifier)
            yield
        finally:
            await mongo.close()

    return Starlette(
        routes=_routes(settings, verifier),
        middleware=[Middleware(RequestLogMiddleware)],
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
    )


def _routes(settings: Settings, verifier: TokenVerifier) -> list[BaseRoute]:
    graphql = GraphQLView(
        build_schema(production=settings.is_prod),
        graphql_ide=None if settings.is_prod else "graphiql",
        allow_queries_via_get=False,
    )
    authenticated = AuthenticationMiddleware(
        graphql, backend=BearerTokenBackend(verifier), on_error=auth_error_response
    )
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", authenticated, methods=["GET", "POST"]),
    ]
