"""Staff grants (`grantAccess` / `revokeGrant`): a plan given without payment until a moment.

Each user's grants and revocations are a ledger (`GrantEntry`, `_id` `<user>:<seq>`): writing
entry n+1 is an insert only one writer wins, so two admins granting at once make one grant and
two revoking at once one revocation (`ledger`). The newest entry's grant, if any, is copied onto
the `User` document (`on_user`), which every request reads already: deciding access costs no read
more (`api.billing.entitlements.with_grant`). Every grant and revocation is an `AccessChange`.
"""

from api.billing.grants.ledger import Granted, GrantRequest, RevokeRequest, grant, revoke
from api.billing.grants.listing import MAX_GRANTS, GrantView, grants_of

__all__ = [
    "MAX_GRANTS",
    "GrantRequest",
    "GrantView",
    "Granted",
    "RevokeRequest",
    "grant",
    "grants_of",
    "revoke",
]
