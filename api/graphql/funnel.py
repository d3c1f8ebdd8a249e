"""recordFunnelEvent: the web app reports a step of the upgrade funnel, for the metrics only."""

from __future__ import annotations

import strawberry

from api import metrics
from api.funnel import FunnelRefused, funnel_labels
from api.graphql.context import Info
from api.graphql.enums import FunnelEvent
from api.graphql.errors import bad_input
from api.graphql.guards import guard
from api.ratelimit import Budget


@strawberry.type
class FunnelMutation:
    @strawberry.mutation(
        description=(
            "Count a step of the upgrade funnel in the service's metrics"
            " (`billing_funnel_events`), for the plan or pack it is about: a code of the"
            " catalog, or neither. Changes nothing else; returns true."
        ),
        extensions=[guard("funnel", "record", limit=Budget.FUNNEL_EVENT)],
    )
    def record_funnel_event(
        self,
        info: Info,
        event: FunnelEvent,
        plan: str | None = None,
        pack: str | None = None,
    ) -> bool:
        labels = funnel_labels(info.context.services.settings.policy_dir)
        try:
            step = labels.step(event, plan, pack)
        except FunnelRefused as refused:
            raise bad_input(str(refused), argument=refused.argument) from refused
        metrics.funnel_event(step.event.value, step.plan, step.pack)
        return True
