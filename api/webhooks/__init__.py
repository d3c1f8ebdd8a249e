"""The Razorpay webhook edge: a plain Starlette route. What each event does is billing's
(`api.billing.events`)."""
