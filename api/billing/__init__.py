"""The billing domain: plain async functions over documents, the gateway and the clock.

Nothing here imports the GraphQL or HTTP layers.
"""
