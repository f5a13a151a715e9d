import fcntl
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from indexer.cli import main

from .conftest import REPO, auto_precision, write


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_is_the_api_shape(capsys, settings, index):
    code, out, err = run(capsys, "search", "what did we say about custody detention", "--json",
                         "--index-dir", str(settings.index_dir))
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["query"] == "what did we say about custody detention" and data["mode"] == "hybrid"
    assert len(data["results"]) == 10
    assert set(data["results"][0]) == {"rank", "score", "text", "doc_id", "title", "date", "section", "paragraph",
                                       "page", "role", "label", "doc_type", "author", "source", "url",
                                       "matched_terms", "highlights", "citation", "also_in", "before", "after",
                                       "sentence", "by_meaning", "ledger", "also_in_documents"}
    assert data["also_searched"] == [] and data["total"] >= 10 and data["page"] == 1
    assert {f["name"] for f in data["facets"]} >= {"year", "doc_type", "author", "role"}
    top5 = {(r["doc_id"][:7], r["paragraph"]) for r in data["results"][:5]}
    assert ("2020-04", 5) in top5 and {("2023-06", 10), ("2023-06", 11)} <= top5


# a fresh process answers a hybrid search from the command line and the web app, then lists what it imported
NO_TORCH = """
import json, sys
from indexer.cli import main
from webui import create_app
main(["search", "children held in custody overnight", "--json", "--index-dir", sys.argv[1]])
app = create_app({"TESTING": True})
assert app.test_client().get("/api/search?q=kids+in+cells").status_code == 200
print(json.dumps(sorted(name.partition(".")[0] for name in sys.modules)))
"""


def test_a_search_process_answers_queries_without_torch(settings, index):
    """The index run exported the float32 query graph; searching loads onnxruntime, never torch."""
    done = subprocess.run([sys.executable, "-c", NO_TORCH, str(settings.index_dir)], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PRECEDENT_INDEX_DIR": str(settings.index_dir)})
    assert done.returncode == 0 and done.stderr == "", done.stderr
    answer, imported = done.stdout.rstrip().rsplit("\n", 1)
    assert json.loads(answer)["mode"] == "hybrid" and json.loads(answer)["results"]
    assert "onnxruntime" in json.loads(imported)
    assert not {"torch", "sentence_transformers", "transformers"} & set(json.loads(imported))


def test_output_cut_short_by_the_reader_is_no_traceback(settings, index):
    # the reader has gone before the first line is written ("| head" once it has its lines)
    done = subprocess.run(f"{sys.executable} -m indexer.cli ledger | true", shell=True, cwd=REPO,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PRECEDENT_INDEX_DIR": str(settings.index_dir)})
    assert done.stderr == "", done.stderr


def test_search_readable_output_has_a_citation_line(capsys, settings, index):
    code, out, _ = run(capsys, "search", "victim blaming", "--k", "2", "--mode", "keyword",
                       "--index-dir", str(settings.index_dir))
    assert code == 0
    assert out.startswith("6 paragraphs; page 1 of 3\n\n1. With immediate effect, all chief constables")
    assert "— John Dwyer, HMICFRS Inspection of the Effectiveness" in out
    assert "England and Wales, 8 December 2023, Recommendation 9, ¶9\n" in out
    assert "/doc/2023-12-pcc-response-group-based-cse-thematic#p9" in out and "\n2. " in out and "\n3. " not in out


@pytest.mark.parametrize("argv, message", [
    (["search", "custody", "--mode", "exact"], "Error: --mode: unknown mode 'exact'"),
    (["search", "custody", "--k", "500"], "Error: --k: must be from 1 to 100, got 500"),
    (["search", ""], "Error: QUERY: the query is empty"),
    (["search", "custody", "--doc-type", "x"], "Error: --doc-type: 'x' is not one of: inspection"),
    (["search", "custody", "--from", "2024", "--to", "2020"], "Error: --from: 2024 is after to 2020"),
    (["search", "NOT NOT custody"], "Error: QUERY: cannot read the operators of"),
])
def test_search_errors_are_one_line(capsys, settings, index, argv, message):
    code, out, err = run(capsys, *argv, "--index-dir", str(settings.index_dir))
    assert code == 1 and out == "" and err.startswith(message) and err.count("\n") == 1


def test_a_query_that_starts_with_a_minus_goes_after_a_double_dash(capsys, settings, index):
    with pytest.raises(SystemExit):
        main(["search", "-custody", "--index-dir", str(settings.index_dir)])
    assert 'a query that starts with - goes last, after --: precedent search [OPTIONS] -- "-custody children"' in (
        capsys.readouterr().err)
    code, out, err = run(capsys, "search", "--index-dir", str(settings.index_dir), "--json", "--", "-custody children")
    results = json.loads(out)["results"]
    assert code == 0 and results and not any("custody" in r["text"].lower() for r in results)


def test_missing_index_says_what_to_run_with_the_index_dir_given(capsys, tmp_path):
    none = tmp_path / "no index"
    code, out, err = run(capsys, "search", "custody", "--index-dir", str(none))
    assert code == 1 and out == ""
    assert err == f"Error: No index in {none}; build one with: precedent index --index-dir '{none}'\n"


def test_index_dir_that_cannot_be_a_folder_is_one_line(capsys, tmp_path):
    docs, file = write(tmp_path, "docs/a.txt", "The custody suite was inspected.").parent, write(tmp_path, "f", "")
    problem_of_a_file = "is a file, not a folder; give the path of a folder, or of one to create"
    for index_dir, problem in [(file, problem_of_a_file),
                               (file / "ix", "cannot be created (Not a directory); give a folder you can write to"),
                               (Path("/proc/none/ix"), "cannot be created (No such file or directory); give a "
                                                       "folder you can write to")]:  # a parent cannot be made
        code, out, err = run(capsys, "index", str(docs), "--index-dir", str(index_dir), "--quiet")
        assert code == 1 and out == "" and err == f"Error: --index-dir {index_dir}: {problem}\n"
    with socket.socket() as taken:  # were the folder not checked first, this would fail as "in use", not hang
        taken.bind(("127.0.0.1", 0))
        code, out, err = run(capsys, "serve", "--index-dir", str(file), "--port", str(taken.getsockname()[1]))
    assert code == 1 and out == "" and err == f"Error: --index-dir {file}: {problem_of_a_file}\n"


def test_eval_work_dir_that_is_a_file_is_one_line(capsys, tmp_path):
    dataset, file = tmp_path / "beir", write(tmp_path, "f", "")
    write(dataset, "corpus.jsonl", '{"_id": "d1", "title": "", "text": "Custody suites were inspected."}\n')
    write(dataset, "queries.jsonl", '{"_id": "q1", "text": "custody"}\n')
    write(dataset, "qrels/test.tsv", "q1\td1\t1\n")
    code, out, err = run(capsys, "eval", str(dataset), "--work-dir", str(file), "--json")
    assert code == 1 and out == ""
    assert err == f"Error: --work-dir {file}: is a file, not a folder; give the path of a folder, or of one to create\n"


def test_serve_on_a_port_in_use_or_a_bad_host_is_one_line(capsys, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--index-dir", str(tmp_path / "none"))
    assert code == 1 and out == ""
    assert err == f"Error: port {port} on 127.0.0.1 is in use; stop the other server or choose another with --port\n"
    code, out, err = run(capsys, "serve", "--host", "192.0.2.1", "--port", "8123", "--index-dir", str(tmp_path / "none"))
    assert code == 1 and out == ""
    assert err == ("Error: cannot listen on 192.0.2.1 port 8123 (Cannot assign requested address); "
                   "choose another --host or --port\n")


def test_bad_environment_setting_names_the_variable(capsys, monkeypatch):
    monkeypatch.setenv("PRECEDENT_CANDIDATES", "many")
    code, _, err = run(capsys, "search", "custody")
    assert code == 1 and err.strip() == "Error: PRECEDENT_CANDIDATES must be a whole number, got 'many'"


def test_index_summary_reports_skipped_and_failed_files(capsys, tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", "The custody suite was inspected and found wanting.")
    write(docs, "b.xls", b"\xd0\xcf\x11\xe0")
    write(docs, "c.txt", "")
    code, out, _ = run(capsys, "index", str(docs), "--index-dir", str(tmp_path / "ix"), "--quiet")
    assert code == 2  # a file failed; the rest is indexed
    assert "Indexed 1 document, 1 paragraph in" in out and ": 1 new or changed, 0 unchanged, 0 removed." in out
    assert "Embedded 1 paragraph and 0 sentences of longer ones (" in out and "reused the vectors of 0 paragraphs." in out
    assert "Skipped 1 file:\n  b.xls: unsupported format .xls" in out
    assert "Failed 1 file:\n  c.txt: empty file (0 bytes)" in out
    code, out, _ = run(capsys, "index", str(docs), "--index-dir", str(tmp_path / "ix"))
    assert code == 2 and out.startswith("Index is up to date: 1 document, 1 paragraph") and "nothing to embed" in out
    code, out, _ = run(capsys, "status", "--index-dir", str(tmp_path / "ix"))
    assert code == 0 and f"Index: {tmp_path / 'ix'} (gen-000001, built " in out
    assert (f"Model: sentence-transformers/all-MiniLM-L6-v2 (384 dimensions, embedded in {auto_precision()} by "
            "the torch encoder); keyword index: whoosh") in out
    assert "Documents: 1, paragraphs: 1, skipped: 1, failed: 1" in out
    assert "Last run: 1 new or changed, 0 removed, 1 paragraph embedded" in out
    assert "Failed 1 file:\n  c.txt: empty file (0 bytes)" in out
    code, out, _ = run(capsys, "search", "custody", "--index-dir", str(tmp_path / "ix"))
    assert code == 0 and out.startswith("1 paragraph; page 1 of 1\n\n1. The custody suite was inspected")


def test_a_second_index_run_says_it_waits_and_a_narrower_one_says_what_it_removed(capsys, tmp_path):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    write(docs, "a.txt", "The custody suite was inspected and found wanting.")
    write(docs, "b.txt", "Knife crime fell in Halton after the incident.")
    ix.mkdir()
    with open(ix / "LOCK", "w") as held:  # another run holds the index for a few seconds
        fcntl.flock(held, fcntl.LOCK_EX)
        threading.Timer(3, fcntl.flock, (held, fcntl.LOCK_UN)).start()
        code, out, err = run(capsys, "index", str(docs), "--index-dir", str(ix), "--quiet")
    assert code == 0 and err == f"Waiting for the index run already under way in {ix} to finish…\n"
    assert "The index holds what a run is given" not in out
    code, out, _ = run(capsys, "index", str(docs / "a.txt"), "--index-dir", str(ix), "--quiet")
    assert code == 0 and "1 removed." in out
    assert "The index holds what a run is given: to keep documents from other folders, give those folders too." in out


def test_when_every_file_fails_each_reason_is_reported(capsys, tmp_path):
    docs = tmp_path / "docs"
    write(docs, "corrupt.pdf", b"%PDF-1.4 not really")
    write(docs, "empty.txt", "")
    code, out, err = run(capsys, "index", str(docs), "--index-dir", str(tmp_path / "ix"), "--quiet")
    assert code == 1
    assert out.startswith("Failed 2 files:\n  corrupt.pdf: ") and "\n  empty.txt: empty file (0 bytes)\n" in out
    assert err == f"Error: {docs}: no document could be indexed (2 files skipped or failed)\n"  # and no index before
    write(docs, "good.txt", "The custody suite was inspected.")
    assert run(capsys, "index", str(docs), "--index-dir", str(tmp_path / "ix"), "--quiet")[0] == 2
    (docs / "good.txt").unlink()
    code, out, err = run(capsys, "index", str(docs), "--index-dir", str(tmp_path / "ix"), "--quiet")
    assert code == 1 and err.endswith("(2 files skipped or failed); the existing index is unchanged\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(capsys, "index", str(empty), "--index-dir", str(tmp_path / "ix2"), "--quiet")
    assert code == 1 and err == f"Error: {empty}: no document could be indexed (no files found)\n"


def test_status_without_an_index(capsys, tmp_path):
    code, out, err = run(capsys, "status", "--index-dir", str(tmp_path / "none"))
    assert code == 1 and out == ""
    assert err == f"Error: No usable index in {tmp_path / 'none'}; build one with: precedent index --index-dir {tmp_path / 'none'}\n"


def test_index_of_a_missing_folder(capsys, tmp_path):
    code, _, err = run(capsys, "index", str(tmp_path / "nope"), "--index-dir", str(tmp_path / "ix"))
    assert code == 1 and err.strip().endswith("nope: no such file or folder; give a folder of documents to index")


def test_search_filters_order_and_pages_from_the_command_line(capsys, settings, index):
    code, out, _ = run(capsys, "search", "children in custody", "--year", "2023", "--role", "commissioner_response",
                       "--sort", "newest", "--k", "3", "--page", "2", "--json", "--index-dir", str(settings.index_dir))
    data = json.loads(out)
    assert code == 0 and data["page"] == 2 and data["sort"] == "newest"
    assert data["filters"]["chosen"] == {"year": ["2023"], "role": ["commissioner_response"]}
    assert all(r["date"].startswith("2023") and r["role"] == "commissioner_response" for r in data["results"])
    code, out, err = run(capsys, "search", "custody", "--from", "last year", "--index-dir", str(settings.index_dir))
    assert code == 1 and "from: 'last year' is not a date" in err and "Traceback" not in err


def test_ledger_lists_each_item_with_its_status_then_each_inspection_clock(capsys, settings, index):
    code, out, err = run(capsys, "ledger", "--today", "2024-03-01", "--index-dir", str(settings.index_dir))
    assert code == 0 and err == ""
    assert out.startswith("5 items: 4 accepted, 1 noted / under consideration\n")
    assert "Recommendation 9 — accepted ('already comply')\n   With immediate effect, all chief constables" in out
    assert "Deadline: With immediate effect (2023-12-08)" in out and "AFI 1 — accepted ('existing compliance')" in out
    assert "published 27 February 2020; first response 17 April 2020, 50 days" in out
    assert "published 8 December 2023; first response undated" in out  # "2023-12" in its name is not a day
    code, out, _ = run(capsys, "ledger", "--overdue", "--today", "2024-03-01", "--index-dir", str(settings.index_dir))
    assert code == 0 and out.startswith("0 items (overdue): none")


def test_ledger_json_and_csv(capsys, settings, index):
    code, out, _ = run(capsys, "ledger", "--json", "--status", "noted", "--index-dir", str(settings.index_dir))
    data = json.loads(out)
    assert code == 0 and data["count"] == 1 and data["filters"] == {"status": "noted / under consideration"}
    record = data["records"][0]
    assert set(record) == {"id", "inspection", "kind", "label", "text", "places", "deadline", "replies", "status",
                           "decided_by", "recurs"}
    assert (record["label"], record["deadline"], record["inspection"]["published"]) == (
        "Recommendation 8", {"said": "By 30 June 2024", "due": "2024-06-30"}, "2023-12-08")
    assert record["replies"][0] == {"doc_id": "2023-12-pcc-response-group-based-cse-thematic", "paragraph": 12,
                                    "how": "order", "confidence": record["replies"][0]["confidence"]}
    code, out, _ = run(capsys, "ledger", "--csv", "--index-dir", str(settings.index_dir))
    assert code == 0 and out.startswith("\ufefflabel,kind,status,decided_by,inspection,") and out.count("\r\n") > 5


def test_ledger_of_one_document(capsys, settings, index):
    cse = "2023-12-pcc-response-group-based-cse-thematic"
    code, out, _ = run(capsys, "ledger", "--document", cse, "--status", "noted", "--index-dir", str(settings.index_dir))
    assert code == 0 and out.startswith(f"1 item (status noted / under consideration; document {cse}): ")
    assert "Recommendation 8 — noted / under consideration" in out
    code, out, _ = run(capsys, "ledger", "--document", "2019-10-15-pcc-response-halton-jtai", "--index-dir",
                       str(settings.index_dir))
    assert code == 0 and out.startswith("0 items (document 2019-10-15-pcc-response-halton-jtai): none")


def test_search_says_what_a_result_is_to_the_ledger(capsys, settings, index):
    code, out, _ = run(capsys, "search", "victim blaming", "--mode", "keyword", "--k", "2", "--index-dir",
                       str(settings.index_dir))
    cse = "/doc/2023-12-pcc-response-group-based-cse-thematic"
    assert code == 0 and f"ledger: Recommendation 9, accepted; first reply  {cse}#p13\n" in out
    assert f"ledger: reply to Recommendation 9 (accepted)  {cse}#p9\n" in out


@pytest.mark.parametrize("argv, message", [
    (["--status", "sorta"], "--status: 'sorta' is not a status; use one of: accepted, partly accepted, rejected, "
                            "noted / under consideration, no response found"),
    (["--year", "23"], "--year: '23' is not a year; give four digits, such as 2023"),
    (["--today", "1 March"], "--today: '1 March' is not a date; give YYYY-MM-DD"),
    (["--document", "nope"], "--document: 'nope' is not an indexed document; give its id, as in /doc/DOC_ID"),
])
def test_ledger_errors_are_one_line(capsys, settings, index, argv, message):
    code, out, err = run(capsys, "ledger", *argv, "--index-dir", str(settings.index_dir))
    assert (code, out, err) == (1, "", f"Error: {message}\n")
