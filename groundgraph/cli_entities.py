"""`groundgraph entities list|show|merge|split|log`: see the entities resolution made, and
correct them with merges and splits that every later ingest and refresh keeps."""

import json
from pathlib import Path

import click
from rich.table import Table

from groundgraph.cli_options import interactive, json_option, opened, store_option
from groundgraph.cli_output import err, out, progress_bars
from groundgraph.entity_curation import DecisionReport
from groundgraph.graph.browse import entity_dict
from groundgraph.graph.errors import UsageError


@click.group("entities")
def entities() -> None:
    """See and correct entity resolution (merges and splits a person decides)."""


@entities.command("list")
@store_option
@json_option
@click.option("--match", "query", metavar="TEXT", help="Only entities whose name is nearest TEXT.")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
def list_entities(store: Path | None, as_json: bool, query: str | None, limit: int) -> None:
    """Entities, most mentioned first (or nearest --match), with their aliases."""
    with opened(store, create=False) as gg:
        if query is not None:
            found = [m.entity for m in gg.search_entities(query, limit)]
        else:
            ranked = sorted(gg.store.entities(), key=lambda e: (-e.mention_count, e.name))
            found = ranked[:limit]
    if as_json:
        print(json.dumps([entity_dict(e) for e in found], ensure_ascii=False))
        return
    table = Table("name", "type", "mentions", "aliases", "id")
    for e in found:
        table.add_row(e.name, e.type, str(e.mention_count), ", ".join(e.aliases), e.id)
    out.print(table)


@entities.command("show")
@click.argument("name")
@store_option
@json_option
def show(name: str, store: Path | None, as_json: bool) -> None:
    """The entity NAME (a name or an alias) with its neighbours and evidence."""
    with opened(store, create=False) as gg:
        view = gg.entity_named(name)
    if view is None:
        raise UsageError(f"no entity is named {name!r}")
    shown = view.to_dict()
    if as_json:
        print(json.dumps(shown, ensure_ascii=False))
        return
    aliases = ", ".join(shown["aliases"]) or "none"
    out.print(f"{shown['name']} ({shown['type']}, {shown['id']})", highlight=False, markup=False)
    out.print(f"aliases: {aliases}", highlight=False, markup=False)
    for n in view.neighbours:
        arrow = "→" if n.outgoing else "←"
        out.print(f"  {arrow} {n.predicate} {n.entity.name}", highlight=False, markup=False)


@entities.command("merge")
@click.argument("name")
@click.option("--into", required=True, metavar="NAME", help="The entity NAME becomes an alias of.")
@click.option("--note", default="", help="Why, kept in the log.")
@store_option
@json_option
def merge(name: str, into: str, note: str, store: Path | None, as_json: bool) -> None:
    """Make NAME an alias of another entity, now and in every later ingest and refresh."""
    with opened(store, create=False) as gg, progress_bars(interactive(as_json)) as bars:
        report = gg.merge_entities(name, into, note, bars)
    _print_decision(report, as_json)


@entities.command("split")
@click.argument("name")
@click.option(
    "--from", "from_", required=True, metavar="NAME", help="The entity NAME was merged into."
)
@click.option("--note", default="", help="Why, kept in the log.")
@store_option
@json_option
def split(name: str, from_: str, note: str, store: Path | None, as_json: bool) -> None:
    """Keep NAME apart from the entity it was merged into, now and in every later ingest."""
    with opened(store, create=False) as gg, progress_bars(interactive(as_json)) as bars:
        report = gg.split_entity(name, from_, note, bars)
    _print_decision(report, as_json)


@entities.command("log")
@store_option
@json_option
def log(store: Path | None, as_json: bool) -> None:
    """Every merge in force (rule or person, documents, when) and every decision."""
    with opened(store, create=False) as gg:
        found = gg.entity_log()
    if as_json:
        print(json.dumps(found.to_dict(), ensure_ascii=False))
        return
    merges = Table("name", "merged into", "rule", "documents", "at", title="merges in force")
    for m in found.merges:
        merges.add_row(m.name, m.into, m.rule, "\n".join(m.documents), m.at)
    out.print(merges)
    decisions = Table("decision", "name", "into / from", "at", "note", title="decisions")
    for d in found.decisions:
        decisions.add_row(d.kind, d.name, d.into, d.decided_at, d.note)
    out.print(decisions)


def _print_decision(report: DecisionReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        d = report.decision
        link = "into" if d.kind == "merge" else "from"
        out.print(
            f"{d.kind} {d.name!r} {link} {d.into!r} recorded; "
            f"{len(report.rebuilt.updated)} documents rebuilt",
            highlight=False,
            markup=False,
        )
    for uri in report.not_rebuilt:
        err.print(
            f"not rebuilt (source unreadable; it keeps the old resolution until re-ingested): "
            f"{uri}",
            style="yellow",
            highlight=False,
            markup=False,
        )
    for failure in report.rebuilt.failed:
        err.print(f"error: {failure.path}: {failure.reason}", style="red", markup=False)
    if report.rebuilt.failed:
        raise click.exceptions.Exit(1)
