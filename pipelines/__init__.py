"""Dagster definitions: the daily refresh and monthly fine-tune as assets (issue #4)."""
