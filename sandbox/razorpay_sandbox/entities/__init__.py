"""Builders for Razorpay's entities, with the keys and value types Razorpay returns (FACTS §2)."""
