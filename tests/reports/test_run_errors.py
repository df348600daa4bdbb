"""`python -m analysis run` with bad arguments: one line `error: ...`, exit 1, no traceback.

The command runs in this process (``analysis.cli.main``), so an exception that is not an
``AnalysisError`` fails the test as it would show a traceback to a user. None of these
cases gets as far as running a notebook.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import threading
from pathlib import Path

import pytest

from analysis import cli
from analysis.reports import batch, cli_run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
TOY = FIXTURES / "10_toy_report.ipynb"


def parse(*args: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m analysis run")
    cli_run.configure(parser)
    return parser.parse_args(list(args))


@pytest.mark.parametrize("value", ["0", "-5", "-0.5", "nan", "inf", "ten"])
def test_timeout_must_be_a_positive_number_of_seconds(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse("--all", "--timeout", value)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "argument --timeout: must be a positive number of seconds" in err
    assert parse("--all", "--timeout", "0.5").timeout == 0.5


def test_output_naming_an_existing_file(run_cli, tmp_path):
    target = tmp_path / "results.csv"
    target.write_text("a,b\n1,2\n", encoding="utf-8")
    code, err = run_cli("-m", "101", "--notebooks", str(TOY), "--output", str(target))
    assert code == 1
    assert f"error: --output {target} is a file, not a folder" in err
    assert target.read_text(encoding="utf-8") == "a,b\n1,2\n"


@pytest.mark.parametrize("which", ["etc-passwd", "copy"])
def test_notebooks_naming_a_file_that_is_not_a_notebook(run_cli, tmp_path, which):
    if which == "etc-passwd":
        path = Path("/etc/passwd")
        if not path.is_file():
            pytest.skip("no /etc/passwd here")
    else:
        path = tmp_path / "passwd"
        path.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    first_line = path.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    code, err = run_cli("-m", "101", "--notebooks", str(path), "--output", str(tmp_path / "o"))
    assert code == 1
    assert f"error: {path} is not a Jupyter notebook" in err
    assert first_line not in err and "root:" not in err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_scheduler_where_nothing_listens_fails_before_any_work(run_cli, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    code, err = run_cli("-m", "101", "--scheduler", address, "--output", str(tmp_path / "o"))
    assert code == 1
    assert f"error: no Dask scheduler answers at {address}" in err
    assert not (tmp_path / "o").exists()
    code, err = run_cli(
        "-m", "101", "--scheduler", "tcp://127.0.0.1:1", "--output", str(tmp_path / "o")
    )
    assert code == 1 and "no Dask scheduler answers at tcp://127.0.0.1:1" in err


@contextlib.contextmanager
def silent_server():
    """A TCP port that accepts connections and never says anything (not a scheduler)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


def test_scheduler_address_of_something_else_is_a_clear_error(run_cli, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(batch.scheduler, "SCHEDULER_TIMEOUT", 1.0)
    with silent_server() as address:
        code, err = run_cli("-m", "101", "--scheduler", address, "--output", str(tmp_path / "o"))
    assert code == 1
    assert f"error: no Dask scheduler answers at {address}" in err


def test_scheduler_address_that_is_not_an_address(run_cli, tmp_path):
    code, err = run_cli("-m", "101", "--scheduler", "tcp://nohost", "--output", str(tmp_path / "o"))
    assert code == 1 and "error: --scheduler" in err and "tcp://HOST:PORT" in err


def test_an_unexpected_file_error_is_named_not_a_traceback(
    isolated_paths, monkeypatch, capsys, tmp_path
):
    blocked = isolated_paths.processed / "municipalities.parquet"

    def read_only_store(paths, notebooks=(), parallel=False):
        raise PermissionError(13, "Permission denied", str(blocked))

    monkeypatch.setattr(batch, "precompute_shared", read_only_store)
    code = cli.main(["run", "-m", "101", "--notebooks", str(TOY), "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"error: cannot write or read {blocked}: Permission denied" in err
