"""Metered usage against the catalog's limits: the ledger (`ledger`), its windows (`windows`),
reading a counter (`reads`), and the plan a user's limits come from (`plan_of`)."""
