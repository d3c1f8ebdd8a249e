"""Call budgets shared by every API process: claims in the database, one per call taken.

Infrastructure, not billing: the GraphQL gate spends a user's budget for a mutation, and the
web layer an anonymous address's budget for `/graphql` as a whole.
"""

from api.ratelimit.budgets import Budget, Budgets
from api.ratelimit.limiter import Limited, SlotLimiter
from api.ratelimit.rate import Rate

__all__ = ["Budget", "Budgets", "Limited", "Rate", "SlotLimiter"]
