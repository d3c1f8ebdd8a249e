"""The GraphQL edge: types, resolvers and guards. Nothing outside this package imports it."""
