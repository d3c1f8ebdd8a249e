"""The composition root: `create_app(settings)` wires routes, middleware and the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import structlog
from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import BaseRoute, Mount, Route

from api.authz.policy import load_authorizer
from api.billing.deps import Billing
from api.billing.events.applier import Applier
from api.billing.plans import PlanResolver, configured_plans
from api.catalog.load import load_catalog
from api.catalog.model import Catalog
from api.clock import Clock
from api.documents import DOCUMENTS, RateSlot
from api.graphiql.page import OfflineGraphiQL, offline_graphiql
from api.graphql.limits import DocumentLimits
from api.graphql.schema import build_schema
from api.graphql.view import GraphQLView
from api.identity.tokens import TokenVerifier
from api.identity.verifier import token_verifier
from api.indexes import ensure_indexes
from api.plan_sync_job import syncing_plans
from api.ratelimit import Budgets, SlotLimiter
from api.razorpay_wiring import EmbeddedSandbox, wire_razorpay
from api.reconcile_job import reconciling
from api.services import Services
from api.settings import ConfigurationError, Settings, check_startable
from api.web.anonymous_budget import AnonymousBudget
from api.web.auth import BearerTokenBackend, auth_error_response
from api.web.cors import GRAPHQL_PATHS, SANDBOX_CHECKOUT_PATHS, ScopedCors
from api.web.dev_signin import dev_token
from api.web.health import healthz, readyz
from api.web.logging import RequestLogMiddleware, configure_logging
from api.web.metrics_route import metrics_endpoint, worker_exited
from api.web.web_app import web_app
from api.webhooks.route import razorpay_webhook


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    sandbox_overrides: dict[str, Any] | None = None,
) -> Starlette:
    check_startable(settings)
    if settings.mongodb_uri is None:
        raise ConfigurationError(
            "No database: set MONGODB_URI, or start with `python -m api serve`, "
            "which starts the embedded one."
        )
    configure_logging(settings.log_level)
    # A bad catalog or policy, or one that disagrees with the other, stops the start, loudly.
    catalog = load_catalog(settings.policy_dir)
    authorizer = load_authorizer(settings.policy_dir, catalog)
    verifier = token_verifier(settings)
    razorpay = wire_razorpay(settings, clock, sandbox_overrides)
    catalog = load_catalog(settings.policy_dir)
    billing = Billing(
        gateway=razorpay.gateway,
        clock=razorpay.clock,
        key_id=razorpay.key_id,
        grace=timedelta(days=settings.grace_days),
        plans=_plans(settings, catalog, auto_sync=razorpay.sandbox is not None),
        catalog=catalog,
    )

    applier = Applier(billing, timedelta(seconds=settings.webhook_budget_seconds))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        mongo = _mongo_client(settings)
        database = mongo[settings.mongodb_db]
        try:
            await init_beanie(database=database, document_models=DOCUMENTS, skip_indexes=True)
            await ensure_indexes(database, DOCUMENTS)
            app.state.services = Services(
                settings=settings,
                clock=razorpay.clock,
                mongo=mongo,
                database=database,
                verifier=verifier,
                billing=billing,
                authorizer=authorizer,
                catalog=catalog,
                webhook_secret=razorpay.webhook_secret,
                budgets=_budgets(settings, database, razorpay.clock),
                applier=applier,
            )
            async with (
                _running(razorpay.sandbox),
                syncing_plans(billing, enabled=razorpay.sandbox is not None),
                applier.running_in_background(),
                reconciling(
                    billing,
                    interval=settings.reconcile_interval,
                    recent=settings.reconcile_recent,
                    first_look=settings.reconcile_first_look_seconds,
                ),
            ):
                yield
        finally:
            await razorpay.gateway.aclose()
            await mongo.close()
            worker_exited()

    return Starlette(
        routes=_routes(settings, verifier, razorpay.sandbox),
        middleware=[Middleware(RequestLogMiddleware), *_cors(settings, razorpay.sandbox)],
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
    )


def app_from_environment() -> Starlette:
    """The app from the settings in the environment: what each of `serve`'s workers runs."""
    return create_app(Settings())


HEARTBEAT_MS = 1000


def _mongo_client(settings: Settings) -> AsyncMongoClient[dict[str, object]]:
    """A client that gives up on an unreachable database within DATABASE_TIMEOUT_SECONDS,
    which the edges answer 503 (see api/outage.py), instead of pymongo's 30 s.

    A database that stops answering without closing its connections (a hung or paused server)
    is noticed by the client's monitor, which then interrupts the operations waiting on it: one
    heartbeat plus its timeout. pymongo's 10 s heartbeat made that 13 s; a heartbeat of a
    second (a `hello` a second per process) keeps it near the timeout."""
    timeout_ms = round(settings.database_timeout_seconds * 1000)
    return AsyncMongoClient(
        settings.mongodb_uri,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        heartbeatFrequencyMS=HEARTBEAT_MS,
    )


def _plans(settings: Settings, catalog: Catalog, *, auto_sync: bool) -> PlanResolver:
    configured = configured_plans(catalog, settings.razorpay_plan_id)
    return PlanResolver(configured, auto_sync=auto_sync)


def _budgets(settings: Settings, database: AsyncDatabase[dict[str, Any]], clock: Clock) -> Budgets:
    slots = database[RateSlot.get_collection_name()]
    return Budgets(SlotLimiter(slots, clock), settings.rate_limits)


def _cors(settings: Settings, sandbox: EmbeddedSandbox | None) -> list[Middleware]:
    if not settings.cors_origins:
        return []
    paths = GRAPHQL_PATHS + (SANDBOX_CHECKOUT_PATHS if sandbox is not None else ())
    return [Middleware(ScopedCors, origins=settings.cors_origins, paths=paths)]


@asynccontextmanager
async def _running(sandbox: EmbeddedSandbox | None) -> AsyncIterator[None]:
    if sandbox is None:
        yield
        return
    await sandbox.start()
    try:
        yield
    finally:
        await sandbox.stop()


def _routes(
    settings: Settings, verifier: TokenVerifier, sandbox: EmbeddedSandbox | None
) -> list[BaseRoute]:
    graphql = GraphQLView(
        build_schema(
            production=settings.is_prod,
            limits=DocumentLimits(settings.graphql_max_depth, settings.graphql_max_cost),
        ),
        graphql_ide=None if settings.is_prod else "graphiql",
        allow_queries_via_get=False,
    )
    ide = None if settings.is_prod else _offline_graphiql(settings, graphql)
    authenticated = AuthenticationMiddleware(
        AnonymousBudget(graphql), backend=BearerTokenBackend(verifier), on_error=auth_error_response
    )
    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/graphql", authenticated, methods=["GET", "POST"]),
        Route("/webhooks/razorpay", razorpay_webhook, methods=["POST"]),
    ]
    if ide is not None:
        routes.append(ide.assets)
    if sandbox is not None:
        routes.append(Mount("/sandbox", app=sandbox.app))
    return routes + _web_app_routes(settings)


def _web_app_routes(settings: Settings) -> list[BaseRoute]:
    """The dev sign-in endpoint (never in prod), and the web app, last: it answers every path
    no other route claims."""
    routes: list[BaseRoute] = []
    if not settings.is_prod:
        routes.append(Route("/dev/token", dev_token, methods=["POST"]))
    app = web_app(settings.web_app_dir) if settings.web_app_served else None
    if app is not None:
        routes.append(Mount("/", app=app))
    return routes


def _offline_graphiql(settings: Settings, view: GraphQLView) -> OfflineGraphiQL | None:
    ide = offline_graphiql(settings.graphiql_assets_dir)
    if ide is None:
        structlog.get_logger("graphiql").warning(
            "graphiql_assets_missing",
            folder=str(settings.graphiql_assets_dir),
            remedy="make setup (needs npm); until then GraphiQL loads its files from a CDN",
        )
    else:
        view.ide_page = ide.page
    return ide
