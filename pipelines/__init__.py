"""Dagster definitions: the daily refresh and monthly fine-tune as assets.

Load with `dagster dev -m groundgraph.pipelines` or `groundgraph ui`.
"""

from groundgraph.pipelines.definitions import build_definitions, defs

__all__ = ["build_definitions", "defs"]
