"""A subscription's state: the lifecycle table and its fold (`lifecycle`), storing observations
and keeping the state in step with them (`store`), finding a user's subscriptions (`queries`), and
what stands in the way of buying another (`standing`)."""
