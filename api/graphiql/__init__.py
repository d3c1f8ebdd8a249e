"""GraphiQL (dev only) from the service's own files: no request leaves the machine when it loads."""
