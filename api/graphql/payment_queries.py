"""`paymentHistory` (the viewer's payments) and `payments(userId)` (staff: any user's)."""

from __future__ import annotations

import strawberry
from beanie import PydanticObjectId

from api.billing.payment_history import MAX_PAGE, InvalidCursor, encode_cursor, history
from api.billing.refund_requests import requests_for
from api.graphql.billing_context import signed_in_user, user_id_of
from api.graphql.context import Info
from api.graphql.errors import bad_input
from api.graphql.guards import guard
from api.graphql.payments import PageInfo, PaymentConnection, PaymentEdge, payment_type


@strawberry.type
class PaymentQuery:
    @strawberry.field(
        description=f"The viewer's payments, newest first; `first` at most {MAX_PAGE}.",
        extensions=[guard("payment", "read")],
    )
    async def payment_history(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> PaymentConnection:
        user = await signed_in_user(info)
        assert user.id is not None
        return await payments_of(user.id, first=first, after=after)

    @strawberry.field(
        description=f"Staff: a user's payments, newest first; `first` at most {MAX_PAGE}.",
        extensions=[guard("payment", "read_any")],
    )
    async def payments(
        self, user_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> PaymentConnection:
        return await payments_of(user_id_of(user_id), first=first, after=after)


async def payments_of(
    user_id: PydanticObjectId, *, first: int, after: str | None
) -> PaymentConnection:
    if not 1 <= first <= MAX_PAGE:
        raise bad_input(f"`first` must be between 1 and {MAX_PAGE}.", argument="first")
    try:
        page = await history(user_id, first=first, after=after)
    except InvalidCursor as error:
        raise bad_input(str(error), argument="after") from error
    requests = await requests_for([p.id for p in page.payments])
    edges = [
        PaymentEdge(
            cursor=encode_cursor(p),
            node=payment_type(p, page.refunds.get(p.id, []), requests.get(p.id, [])),
        )
        for p in page.payments
    ]
    end = edges[-1].cursor if edges else None
    return PaymentConnection(
        edges=edges, page_info=PageInfo(has_next_page=page.has_next, end_cursor=end)
    )
