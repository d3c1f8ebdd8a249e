"""graphql-core's "Did you mean ...?" hints, which name fields, arguments, types and enum values
that a caller did not write: production answers without them."""

from __future__ import annotations

import re

from graphql import GraphQLError

# graphql-core words every hint as " Did you mean <quoted names>?" (`did_you_mean`), and GraphQL
# names cannot hold a "?", so this takes the hint and nothing after it.
_HINT = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(error: GraphQLError) -> None:
    """Strip the hint in place: validation errors are cached and shared, and stripping twice is
    stripping once."""
    error.message = _HINT.sub("", error.message)
