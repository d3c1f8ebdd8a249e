"""The Razorpay webhook edge: a plain Starlette route and the table of event handlers."""
