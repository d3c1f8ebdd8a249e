"""What is for sale and how much of each thing a plan allows: `catalog.toml` in `POLICY_DIR`."""
