"""HTTP plumbing shared by every route: logging, request ids, health, bearer authentication."""
