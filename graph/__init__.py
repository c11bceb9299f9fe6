"""The graph layer: the data model, the `GraphStore` contract and its backends."""
