"""One typed settings object, read from the environment (and an optional `.env`)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.ratelimit import Budget, Rate


class ConfigurationError(RuntimeError):
    """The service cannot start with these settings; the message says what to set."""


OPTIONAL = (
    "mongodb_uri",
    "razorpay_key_id",
    "razorpay_key_secret",
    "razorpay_webhook_secret",
    "razorpay_plan_id",
    "jwt_secret",
    "jwt_issuer",
    "jwt_audience",
    "sandbox_url",
    "metrics_token",
)
# `15/1h` in the environment; NoDecode: not JSON, which pydantic-settings would try first.
RateSetting = Annotated[Rate, NoDecode, BeforeValidator(Rate.parse)]
ORIGIN = re.compile(r"https?://[^/\s]+")


def parse_origins(value: object) -> object:
    """`https://app.example.com,http://localhost:5173` (or `*`): origins as a browser sends them,
    so a trailing slash, which no Origin header has, is dropped rather than never matching."""
    if not isinstance(value, str):
        return value
    origins = tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
    for origin in origins:
        if origin != "*" and not ORIGIN.fullmatch(origin):
            raise ValueError(f"{origin!r} is not an origin: scheme://host[:port], no path")
    return origins


OriginsSetting = Annotated[tuple[str, ...], NoDecode, BeforeValidator(parse_origins)]
MIN_PROD_JWT_SECRET = 32  # HS256 keys shorter than the hash can be brute-forced (RFC 7518 §3.2)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    app_env: Literal["dev", "prod"] = "dev"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("./var")
    policy_dir: Path = Path("./policies")
    # GraphiQL's files, installed by `make setup` (dev only: prod serves no GraphiQL).
    graphiql_assets_dir: Path = Path("./.assets/graphiql")
    # The reference web app's build (`make setup` builds web/ into it), served at `/` in dev,
    # and in prod only with SERVE_WEB_APP=true.
    web_app_dir: Path = Path("./web/dist")
    serve_web_app: bool = False
    mongodb_uri: str | None = None
    mongodb_db: str = "billing"
    # How long a request waits to reach the database before it is answered 503
    # SERVICE_UNAVAILABLE (pymongo's server selection and connect timeouts; its default is 30 s).
    database_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    razorpay_key_id: str | None = None
    razorpay_key_secret: SecretStr | None = None
    razorpay_webhook_secret: SecretStr | None = None
    razorpay_base_url: str = "https://api.razorpay.com"
    razorpay_plan_id: str | None = None
    razorpay_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Razorpay counts a webhook delivery failed unless a 2xx arrives within 5 s. The handler gets
    # this much; the rest is for the inbox's own reads and writes and the network.
    webhook_budget_seconds: float = Field(default=3.5, gt=0, le=4.5)
    grace_days: float = Field(default=3.0, ge=0, le=30)
    # While in beta: every signed-in user has the top plan, every limit unlimited, every level
    # at its top (reason "beta"), whatever they pay.
    beta_override: bool = False
    jwt_secret: SecretStr | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_max_lifetime_hours: float = Field(default=24.0, gt=0, le=24 * 366)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # The defaults are api.graphql.limits.DEFAULT_LIMITS: GraphiQL's introspection query selects
    # ~230 fields, the largest query the schema answers (bench/guards.py) 54, 4 levels deep.
    graphql_max_depth: int = Field(default=10, ge=1, le=100)
    graphql_max_cost: int = Field(default=500, ge=1, le=100_000)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Origins of web apps that may call /graphql from a browser; none: same origin only.
    cors_origins: OriginsSetting = ()
    # Worker processes `serve` runs; "auto": one per CPU (the Docker image's default).
    web_concurrency: Annotated[int, Field(ge=1, le=64)] | Literal["auto"] = 1
    # Where the Razorpay sandbox runs when this process does not serve it itself: `serve` runs
    # it once, beside its workers, and tells them here. Not a setting to set by hand.
    sandbox_url: str | None = None
    # What `GET /metrics` asks for as a bearer token; in prod, without it there is no /metrics.
    metrics_token: SecretStr | None = None
    # How often the service reconciles with Razorpay (0: never; `python -m api reconcile` still
    # does), and how far back an account's billing counts as recent enough to be checked.
    reconcile_interval_hours: float = Field(default=24.0, ge=0, le=24 * 31)
    reconcile_recent_days: float = Field(default=35.0, gt=0, le=366)
    # How long after start a process first looks for a window to run: the service (and, in
    # development, the sandbox it serves) should be answering by then.
    reconcile_first_look_seconds: float = Field(default=60.0, ge=0, le=24 * 3600)
    rate_limit_upgrade: RateSetting = Rate(15, timedelta(hours=1))
    rate_limit_confirm_checkout: RateSetting = Rate(10, timedelta(minutes=15))
    rate_limit_cancel_subscription: RateSetting = Rate(10, timedelta(hours=1))
    rate_limit_refund_payment: RateSetting = Rate(60, timedelta(hours=1))
    rate_limit_request_refund: RateSetting = Rate(10, timedelta(hours=1))
    rate_limit_github_import: RateSetting = Rate(30, timedelta(hours=1))
    rate_limit_funnel_event: RateSetting = Rate(120, timedelta(hours=1))
    rate_limit_usage: RateSetting = Rate(600, timedelta(minutes=1))
    rate_limit_buy_credits: RateSetting = Rate(15, timedelta(hours=1))
    rate_limit_confirm_credit_purchase: RateSetting = Rate(10, timedelta(minutes=15))
    # Spending is the product's backends acting for the user: generous, a guard against a loop.
    rate_limit_spend_credits: RateSetting = Rate(600, timedelta(minutes=1))
    rate_limit_adjust_credits: RateSetting = Rate(60, timedelta(hours=1))
    rate_limit_access_grant: RateSetting = Rate(60, timedelta(hours=1))
    rate_limit_anonymous: RateSetting = Rate(120, timedelta(minutes=1))

    @field_validator(*OPTIONAL, mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `VAR=` in a compose file or .env means "not set"; an empty secret must never pass as one.
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def rate_limits(self) -> dict[Budget, Rate]:
        return {budget: getattr(self, f"rate_limit_{budget.value}") for budget in Budget}

    @property
    def reconcile_interval(self) -> timedelta | None:
        hours = self.reconcile_interval_hours
        return timedelta(hours=hours) if hours > 0 else None

    @property
    def reconcile_recent(self) -> timedelta:
        return timedelta(days=self.reconcile_recent_days)

    @property
    def workers(self) -> int:
        if self.web_concurrency == "auto":
            return os.cpu_count() or 1
        return self.web_concurrency

    @property
    def web_app_served(self) -> bool:
        return self.serve_web_app or not self.is_prod

    @property
    def is_prod(self) -> bool:
        return self.app_env == "prod"

    @property
    def uses_embedded_database(self) -> bool:
        return self.mongodb_uri is None

    @property
    def uses_sandbox(self) -> bool:
        """No Razorpay keys at all: the service serves and uses its own Razorpay sandbox."""
        return not (
            self.razorpay_key_id or self.razorpay_key_secret or self.razorpay_webhook_secret
        )

    @property
    def public_host(self) -> str:
        """The address this process can be reached at from itself (0.0.0.0 is not one)."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104


PROD_REQUIRED = (
    "MONGODB_URI",
    "RAZORPAY_KEY_ID",
    "RAZORPAY_KEY_SECRET",
    "RAZORPAY_WEBHOOK_SECRET",
    "JWT_SECRET",
)


def check_startable(settings: Settings) -> None:
    """Refuse a configuration that would run half-configured, naming what is missing."""
    present = {name: getattr(settings, name.lower()) is not None for name in PROD_REQUIRED}
    if settings.is_prod:
        missing = [name for name, ok in present.items() if not ok]
        if missing:
            raise ConfigurationError(
                "APP_ENV=prod needs these settings, which are missing: " + ", ".join(missing)
            )
        _check_jwt_secret_length(settings)
        _check_cors_origins(settings)
    razorpay = [name for name in PROD_REQUIRED if name.startswith("RAZORPAY")]
    given = [name for name in razorpay if present[name]]
    if given and len(given) != len(razorpay):
        raise ConfigurationError(
            "Razorpay is half-configured: set all of "
            + ", ".join(razorpay)
            + " (or none, to use the built-in sandbox); missing: "
            + ", ".join(n for n in razorpay if n not in given)
        )


def _check_jwt_secret_length(settings: Settings) -> None:
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""
    if len(secret.encode()) < MIN_PROD_JWT_SECRET:
        raise ConfigurationError(
            f"JWT_SECRET is too short for APP_ENV=prod: use at least {MIN_PROD_JWT_SECRET} random "
            "bytes (`python -c 'import secrets; print(secrets.token_urlsafe(48))'` makes some)."
        )


def _check_cors_origins(settings: Settings) -> None:
    if "*" in settings.cors_origins:
        raise ConfigurationError(
            "CORS_ORIGINS=* is refused in APP_ENV=prod: list the web app's origins, "
            "e.g. CORS_ORIGINS=https://app.example.com"
        )
