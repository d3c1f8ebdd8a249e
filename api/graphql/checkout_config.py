"""`checkoutConfig`: which Checkout script a web app loads, public.

The service knows whether it talks to Razorpay or to its own sandbox; a web app that hard-coded
either would pay against the wrong one."""

from __future__ import annotations

import strawberry

from api.graphql.context import Info
from api.graphql.guards import guard

RAZORPAY_CHECKOUT_JS = "https://checkout.razorpay.com/v1/checkout.js"
# Served by this service (or its workers' proxy) under /sandbox, beside /graphql.
SANDBOX_CHECKOUT_JS = "/sandbox/v1/checkout.js"


@strawberry.type(description="How a web app opens Checkout.")
class CheckoutConfig:
    script_url: str = strawberry.field(
        description="The Checkout script to load: Razorpay's, or (in development) the sandbox's,"
        " as a path relative to this service's address."
    )
    sandbox: bool = strawberry.field(description="Payments go to the local Razorpay sandbox.")


@strawberry.type
class CheckoutConfigQuery:
    @strawberry.field(
        description="Which Checkout script to load.", extensions=[guard("plan", "read")]
    )
    def checkout_config(self, info: Info) -> CheckoutConfig:
        sandbox = info.context.services.settings.uses_sandbox
        return CheckoutConfig(
            script_url=SANDBOX_CHECKOUT_JS if sandbox else RAZORPAY_CHECKOUT_JS, sandbox=sandbox
        )
