"""`python -m groundgraph` runs the CLI."""

from groundgraph.cli import app

app(prog_name="groundgraph")
