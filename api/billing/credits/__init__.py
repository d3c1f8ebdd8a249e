"""Credit packs bought through Razorpay orders, and the credits ledger they feed."""
