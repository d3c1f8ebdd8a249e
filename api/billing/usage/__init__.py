"""Metered usage against the catalog's limits: the ledger (`ledger`), its windows (`windows`),
and reading a counter (`reads`). The plan the limits come from is the caller's current plan
(`api.billing.entitlements.current_plan`)."""
