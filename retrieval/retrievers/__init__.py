"""Retrievers: from a question to a `Context` (entity linking, dense search, personalised
PageRank, community reports)."""
