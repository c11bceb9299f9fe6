"""`python -m groundgraph` runs the CLI."""

from groundgraph.cli import main

main()
