"""`changePlan` and `cancelScheduledChange`: moving a live subscription to another catalog plan
(Razorpay's update, or a new subscription where Razorpay cannot update), down to the free plan,
and a first purchase through `upgrade` (see `change.py` for the rules)."""
