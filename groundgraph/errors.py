"""groundgraph's public error types (defined in `groundgraph.graph.errors`, the bottom layer,
so that every layer can raise them): catch `GroundGraphError` to catch them all."""

from groundgraph.graph.errors import CancelledError, ConfigError, GroundGraphError, UsageError

__all__ = ["CancelledError", "ConfigError", "GroundGraphError", "UsageError"]
