"""The ``precedent`` command: index, search, ledger, eval, status, serve.

Each subcommand adapts the library to a terminal; errors from the library are
printed as one ``Error: …`` line on stderr with exit status 1, never a traceback.
Heavy imports (torch, whoosh, flask) happen inside the subcommands, so ``--help``
answers at once.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import socket
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

from .clock import STATUTORY_DAYS
from .config import Settings
from .errors import ConfigError, NothingIndexed, PrecedentError, QueryError
from .facets import FACETS, NAMES, Filters
from .verdicts import STATUSES


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Threads waiting for work sleep rather than spin: spinning ones beside numpy's made encoding a query
    # take 107 ms at p95 instead of 19 (benchmarks/suite.py). Set before numpy and torch load.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if args.command != "index":
        # A search's dot products run on one BLAS thread: between two of them a query does other work, the
        # second thread falls asleep, and waking it cost ~6 ms a call (at 100,000 paragraphs one thread took
        # 12.8 ms, two 15.8; at 10,000, 1.3 against 5.9). The index's near-duplicate products keep both.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        settings = Settings.load(index_dir=args.index_dir, **_flag_settings(args))
        with _folder_errors("--index-dir", settings.index_dir):
            return args.run(args, settings)
    except PrecedentError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted." + (" The index is unchanged." if args.command == "index" else ""), file=sys.stderr)
        return 130
    except BrokenPipeError:  # "precedent search … | head" read what it wanted and closed the pipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush raises no more
        return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with the way out of its one trap for search: a query that starts with -."""

    def error(self, message):
        if self.prog.endswith(" search"):
            message += ('; a query that starts with - goes last, after --: precedent search [OPTIONS] -- '
                        '"-custody children"')
        elif message.startswith("unrecognized arguments"):
            message += "; options go before a -- (after it, everything is the query)"
        super().error(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="precedent", description="Search inspection letters and the responses to them.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    index = commands.add_parser("index", help="index documents (default: the corpus/ folder)")
    index.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders to index")
    index.add_argument("--rebuild", action="store_true", help="rebuild even when nothing changed")
    index.add_argument("--quiet", action="store_true", help="no progress bar")
    index.set_defaults(run=_index)

    search = commands.add_parser("search", help="search the index")
    search.add_argument("query", help="words, \"a phrase\", AND / OR / NOT, -word, prefix*; a query that starts "
                        "with - goes after --: precedent search -- \"-custody children\"")
    search.add_argument("--k", default=10, help="number of results, 1-100 (default 10)")
    search.add_argument("--mode", default="hybrid", help="hybrid (default), keyword or semantic")
    search.add_argument("--sort", default="relevance", help="relevance (default), newest or oldest")
    search.add_argument("--page", default=1, help="page of results, from 1 (default 1)")
    for facet in FACETS:
        search.add_argument(f"--{facet.name.replace('_', '-')}", dest=f"facet_{facet.name}", action="append",
                            default=[], metavar="VALUE",
                            help=f"only this {facet.label.lower()} (repeat for any of several)")
    search.add_argument("--from", dest="date_from", default="", help="only documents dated from YYYY[-MM[-DD]]")
    search.add_argument("--to", dest="date_to", default="", help="only documents dated up to YYYY[-MM[-DD]]")
    search.add_argument("--json", action="store_true", help="print JSON as the web API does")
    search.set_defaults(run=_search)

    ledger = commands.add_parser("ledger", help="every recommendation, AFI and cause of concern: its response, "
                                 "status and clock")
    ledger.add_argument("--status", help=f"only items of this status: {', '.join(STATUSES)} (or its first word)")
    ledger.add_argument("--inspectorate", help="only items of this inspecting body (HMICFRS, Ofsted, …)")
    ledger.add_argument("--year", help="only items of reports published in this year")
    ledger.add_argument("--document", help="only items that stand in this document or that it answers (its id, as "
                        "in /doc/DOC_ID)")
    ledger.add_argument("--overdue", action="store_true",
                        help=f"only items of reports with no response found {STATUTORY_DAYS} days after publication")
    ledger.add_argument("--today", help="count the clock to this day, YYYY-MM-DD (default: today)")
    shape = ledger.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print JSON")
    shape.add_argument("--csv", action="store_true", help="print CSV, for a spreadsheet")
    ledger.set_defaults(run=_ledger)

    evaluate = commands.add_parser("eval", help="relevance figures on a BEIR-format dataset, per search mode")
    evaluate.add_argument("dataset", type=Path, metavar="DATASET_DIR",
                          help="folder with corpus.jsonl, queries.jsonl and qrels/test.tsv")
    evaluate.add_argument("--mode", action="append", help="a mode to run (repeatable; default all three)")
    evaluate.add_argument("--work-dir", type=Path, help="keep the generated files and index here, for re-runs")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.set_defaults(run=_eval, index_dir=None)

    status = commands.add_parser("status", help="show the index: generation, counts, model, files not indexed")
    status.set_defaults(run=_status)

    serve = commands.add_parser("serve", help="serve the web UI and JSON API")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", help="port to listen on (default 8000)")
    serve.add_argument("--workers", help="server processes (default auto: one per core)")
    serve.set_defaults(run=_serve)

    for command in (index, search, ledger, status, serve):  # eval indexes into its --work-dir
        command.add_argument("--index-dir", help="index folder (default .precedent-index)")
    return parser


def _flag_settings(args) -> dict:
    return {name: getattr(args, name, None) for name in ("host", "port", "workers")}


_IS_A_FILE = "is a file, not a folder; give the path of a folder, or of one to create"


@contextmanager
def _folder_errors(option: str, folder: Path | None):
    """Turn an OS error on ``folder`` or a file in it into a ConfigError naming ``option``; others are bugs and propagate."""
    try:
        yield
    except OSError as error:
        if folder is None or not _within(error.filename, folder):
            raise
        raise ConfigError(f"{option} {folder}: {_folder_problem(folder, error)}") from None


def _within(filename, folder: Path) -> bool:
    """Whether an OS error's file is ``folder``, in it, or a folder it would be created in."""
    if not isinstance(filename, str):
        return False
    path = Path(filename)
    return path == folder or folder in path.parents or path in folder.parents


def _folder_problem(folder: Path, error: OSError) -> str:
    """Why the folder is unusable; os.path, unlike Path, answers False rather than raising on a path it cannot stat."""
    if os.path.lexists(folder) and not os.path.isdir(folder):
        return _IS_A_FILE
    done = "written to" if os.path.isdir(folder) else "created"
    return f"cannot be {done} ({error.strerror}); give a folder you can write to"


def _index(args, settings: Settings) -> int:
    """Exit 0 when every file was indexed, 2 when some failed (the rest are indexed), 1 on error."""
    from .build import build_index

    try:
        report = build_index(settings, args.paths or None, rebuild=args.rebuild, progress=not args.quiet)
    except NothingIndexed as error:
        _print_skipped(error.skipped)  # the reasons, before the error line
        raise
    counts = f"{_plural(report.documents, 'document')}, {_plural(report.paragraphs, 'paragraph')}"
    if report.up_to_date:
        print(f"Index is up to date: {counts} in {report.index_dir} ({report.generation}); "
              "nothing to embed. Use --rebuild to force.")
    else:
        unchanged = report.documents - report.added
        print(f"Indexed {counts} in {report.seconds:.1f} s: {report.added} new or changed, "
              f"{unchanged} unchanged, {report.removed} removed.")
        texts = report.embedded + report.sentences_embedded
        rate = f", {texts / report.embed_seconds:.0f} texts/s" if report.embed_seconds else ""
        print(f"Embedded {_plural(report.embedded, 'paragraph')} and {_plural(report.sentences_embedded, 'sentence')} "
              f"of longer ones ({report.embed_seconds:.1f} s{rate}); reused the vectors of "
              f"{_plural(report.paragraphs - report.embedded, 'paragraph')}.")
        print(f"Index: {report.index_dir} ({report.generation})")
        if report.removed and args.paths:
            print("The index holds what a run is given: to keep documents from other folders, give those "
                  "folders too.")
    _print_skipped(report.skipped)
    return 2 if report.failed else 0


def _eval(args, settings: Settings) -> int:
    from .evaluate import evaluate
    from .search import MODES

    modes = args.mode or list(MODES)
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise ConfigError(f"--mode: unknown mode {unknown[0]!r}; use one of {', '.join(MODES)}")
    with _folder_errors("--work-dir", args.work_dir):
        result = evaluate(args.dataset, settings, modes, args.work_dir, progress=not args.json)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
        return 0
    print(f"{result.dataset}: {result.passages} passages ({result.indexed} indexed), {result.queries} queries; "
          f"indexed in {result.index_seconds:.0f} s (embedding {result.embed_seconds:.0f} s)")
    names = list(result.modes[0].figures)
    print(f"{'mode':<10}" + "".join(f"{name:>12}" for name in names) + f"{'median ms':>12}")
    for mode in result.modes:
        print(f"{mode.mode:<10}" + "".join(f"{mode.figures[n]:>12.3f}" for n in names) + f"{mode.median_ms:>12.1f}")
    return 0


def _print_skipped(skipped) -> None:
    for title, items in (("Skipped", [s for s in skipped if not s.failed]), ("Failed", [s for s in skipped if s.failed])):
        if items:
            print(f"{title} {_plural(len(items), 'file')}:")
            for item in items:
                print(f"  {item.source}: {item.reason}")


def _status(args, settings: Settings) -> int:
    from .documents import Skipped
    from .store import IndexFolder, encoder_of, keyword_engine_of

    folder = IndexFolder(settings.index_dir)
    manifest, problem = folder.status(settings)
    counts, model, run = manifest["counts"], manifest["model"], manifest.get("run", {})
    print(f"Index: {settings.index_dir} ({folder.current().name}, built {manifest['created']})")
    embedded_in = " and ".join(model.get("precision", [])) or "not recorded"
    print(f"Model: {model['name']} ({model['dimension']} dimensions, embedded in {embedded_in} "
          f"by the {encoder_of(manifest)} encoder); keyword index: {keyword_engine_of(manifest)}")
    print(f"Corpus: {', '.join(manifest['corpus']['roots'])}")
    print(f"Documents: {counts['documents']}, paragraphs: {counts['paragraphs']}, "
          f"skipped: {counts['skipped']}, failed: {counts['failed']}")
    if run:
        print(f"Last run: {run['added']} new or changed, {run['removed']} removed, "
              f"{_plural(run['embedded'], 'paragraph')} embedded")
    if problem:
        print(f"Not usable: {problem}")
    _print_skipped([Skipped(**s) for s in manifest["files"]["skipped"]])
    return 1 if problem else 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _search(args, settings: Settings) -> int:
    from .export import describe, expansions
    from .search import check_page, check_request, search
    from .store import Index

    try:
        query, k, mode = check_request(args.query, args.k, args.mode)
        sort, page = check_page(args.sort, args.page)
        chosen = {name: getattr(args, f"facet_{name}") for name in NAMES} | {"from": [args.date_from],
                                                                             "to": [args.date_to]}
        filters = Filters.from_args(lambda name: chosen.get(name, []))
        response = search(Index.open(settings), query, k, mode, filters, sort, page)
    except QueryError as error:  # named as the web names it ("k: …"); here the flag is --k
        flag = "QUERY" if error.parameter == "q" else f"--{error.parameter.replace('_', '-')}"
        raise QueryError(flag + str(error).removeprefix(error.parameter)) from None
    if args.json:
        print(json.dumps(response.to_json(), ensure_ascii=False, indent=2))
        return 0
    if response.also_searched:
        print(f"Also searched: {expansions(response.also_searched)}\n")
    if response.also_excluded:
        print(f"Also left out: {expansions(response.also_excluded)}\n")
    if response.suggestion:
        print(f"Did you mean: {response.suggestion}\n")
    narrowed = f"; {describe(response)}" if filters else ""
    if not response.results:
        print(f"No results for {query!r} ({mode}{narrowed}).")
    else:
        print(f"{_plural(response.total, 'paragraph')}{narrowed}; page {page} of {response.pages}\n")
    bold = sys.stdout.isatty()
    for r in response.results:
        print(f"{r.rank}. {_marked(r.text, r.highlights, bold)}")
        print(f"   — {r.citation}\n     {r.source}  {r.url}  (score {r.score:.4f})")
        for twin in r.also_in:
            print(f"     also in: {twin.title}, {twin.date or 'undated'}, ¶{twin.paragraph}  {twin.url}")
        for mark in r.ledger:
            print(f"     ledger: {_mark(mark)}")
        print()
    return 0


def _ledger(args, settings: Settings) -> int:
    from .export import ledger_csv
    from .ledger import ledger
    from .store import Index

    try:
        view = ledger(Index.open(settings), args.status, args.inspectorate, args.year, args.overdue, args.today,
                      args.document)
    except QueryError as error:  # named as the web names it ("status: …"); here the flag is --status
        raise QueryError("--" + str(error)) from None
    if args.json:
        print(json.dumps(view.to_json(), ensure_ascii=False, indent=2))
        return 0
    if args.csv:
        sys.stdout.write(ledger_csv(view))
        return 0
    _print_ledger(view)
    return 0


def _print_ledger(view) -> None:
    """Each record in a few lines, then each inspection's clock."""
    from collections import Counter

    from .metadata import long_date
    from .records import ROLES

    counts = Counter(row.record.status for row in view.rows)
    narrowed = "; ".join(name if value is True else f"{name} {value}" for name, value in view.filters.items())
    print(f"{_plural(len(view.rows), 'item')}{f' ({narrowed})' if narrowed else ''}: "
          + (", ".join(f"{counts[s]} {s}" for s in STATUSES if s in counts) or "none") + "\n")
    for row in view.rows:
        record = row.record
        said = f" ({record.decided_by!r})" if record.decided_by else ""
        print(f"{record.label or 'Unnumbered ' + ROLES[record.kind].lower()} — {record.status}{said}")
        print(textwrap.fill(record.text.replace("\n\n", " "), width=100, initial_indent="   ",
                            subsequent_indent="   ", max_lines=3, placeholder=" …"))
        print(f"   {row.clock.inspection.inspectorate or 'Inspecting body unknown'}: {row.clock.inspection.title}")
        if record.deadline:
            print(f"   Deadline: {record.deadline.said}" + (f" ({record.deadline.due})" if record.deadline.due else ""))
        if record.replies:
            print("   Answered by: " + "; ".join(f"¶{r.paragraph} of {r.doc_id} ({r.how}, {r.confidence:.2f})"
                                                 for r in record.replies[:3]))
        print()
    if view.clocks:
        print(f"The clock ({STATUTORY_DAYS} days from publication to response) on {long_date(view.today.isoformat())}:")
    for found in view.clocks:
        inspection, first = found.inspection, found.inspection.first_response
        when = "no response found" if first is None else f"first response {long_date(first.date) or 'undated'}" + (
            f", {first.days} days" if first.days is not None else "")
        flags = [f"{r.doc_id} late, after {r.days} days" for r in inspection.responses if r.late]
        flags += ["overdue"] if found.overdue else []
        print(f"  {inspection.title}: published {long_date(inspection.published) or 'date unknown'}; {when}"
              + "".join(f"; {flag}" for flag in flags))


def _mark(mark) -> str:
    """A result's place in the ledger, in a line: "Recommendation 9, accepted; first reply /doc/…#p13"."""
    from .records import ROLES

    name = mark.label or ROLES[mark.kind]
    if mark.part == "reply":
        return f"reply to {name} ({mark.status})  {mark.counterpart.url}"
    return f"{name}, {mark.status}; " + (f"first reply  {mark.counterpart.url}" if mark.counterpart else "no reply found")


def _marked(text: str, spans, bold: bool) -> str:
    """Wrap the text for a terminal, matched words in bold when it is one."""
    if bold:
        for start, end in reversed(spans):
            text = f"{text[:start]}\033[1m{text[start:end]}\033[0m{text[end:]}"
    return textwrap.fill(text, width=100, subsequent_indent="   ")


def _serve(args, settings: Settings) -> int:
    from webui import serving

    from .store import check_whole

    if settings.index_dir.exists() and not settings.index_dir.is_dir():  # it would only ever say "not ready"
        raise ConfigError(f"--index-dir {settings.index_dir}: {_IS_A_FILE}")
    check_whole(settings.index_dir)
    with _listening(settings) as sock:
        logging.basicConfig()  # as waitress.serve does, so the server's warnings are formatted
        print(f"Precedent is serving {settings.index_dir} at http://{settings.host}:{settings.port}/ "
              f"(Ctrl+C to stop)", flush=True)
        serving.serve(sock, settings)
    return 0


def _listening(settings: Settings) -> socket.socket:
    """A socket bound before the app loads the model, so a port in use or a bad --host fails at once.

    It listens only when waitress starts, so until the app is ready a client is refused, not kept waiting.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)[0]
    except OSError as error:
        raise ConfigError(_cannot_listen(settings, error)) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does: restart at once
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise ConfigError(_cannot_listen(settings, error)) from None
    return sock


def _cannot_listen(settings: Settings, error: OSError) -> str:
    """The one line for a socket that could not be set up; "in use" has its own advice."""
    if error.errno == errno.EADDRINUSE:
        return f"port {settings.port} on {settings.host} is in use; stop the other server or choose another with --port"
    return f"cannot listen on {settings.host} port {settings.port} ({error.strerror}); choose another --host or --port"


if __name__ == "__main__":
    sys.exit(main())
