"""The root of groundgraph's errors, owned by the bottom layer so that every layer can raise
them.

Every package raises subclasses of `GroundGraphError`, so an application can catch one type
and the CLI can print one clean line instead of a traceback. This module imports nothing.
"""


class GroundGraphError(Exception):
    """Base class of every error groundgraph raises on purpose."""


class ConfigError(GroundGraphError):
    """A setting is missing, malformed or inconsistent with what is stored."""


class UsageError(GroundGraphError):
    """A verb was called wrongly (an empty question, a bad argument); the CLI exits 2."""


class CancelledError(GroundGraphError):
    """The caller stopped a write (a client that went away) before it wrote anything."""
