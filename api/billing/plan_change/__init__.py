"""`changePlan` and `cancelScheduledChange`: moving a live subscription to another catalog plan
where Razorpay can update it (see `change.py` for the rules and what is not built yet)."""
