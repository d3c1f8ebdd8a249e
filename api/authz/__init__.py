"""Who may do what: roles derived per request, decided by the Casbin policy in `policies/`.

Nothing here knows about GraphQL; `api/graphql/guards.py` turns a verdict into a field error.
"""
