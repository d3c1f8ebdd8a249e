"""Razorpay's webhook events: the inbox that applies each once (`inbox`, `claims`), the table of
event name → handler (`handlers`), and one module of handlers per entity."""
