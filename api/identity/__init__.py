"""Who is calling: verified bearer tokens, and the user each token's subject names."""
