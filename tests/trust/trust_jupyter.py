"""A real Jupyter server for tests: start it, open notebooks through its REST API and
run them cell by cell over the kernel websocket, as JupyterLab does."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
import websocket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JupyterServer:
    process: subprocess.Popen
    url: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.url}{path}", headers=self.headers, timeout=30)

    def post(self, path: str, body: dict) -> requests.Response:
        return requests.post(f"{self.url}{path}", headers=self.headers, json=body, timeout=120)

    def delete(self, path: str) -> requests.Response:
        return requests.delete(f"{self.url}{path}", headers=self.headers, timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(
    root: Path, log: Path, env: dict[str, str], extra: list[str] | None = None
) -> JupyterServer:
    """``jupyter server`` on localhost with a random token, serving ``root`` (with
    JupyterLab's pages at ``/lab``); ``extra``: more command-line options."""
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.port_retries=0",
        *(extra or []),
    ]
    if os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    handle = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env)
    server = JupyterServer(process, f"http://127.0.0.1:{port}", token)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter server exited: {log.read_text()}")
        try:
            if server.get("/api/status").status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"jupyter server did not answer: {log.read_text()}")


def run_notebook(server: JupyterServer, path: str, kernel: str, timeout: float = 600) -> list[dict]:
    """Open ``path`` through the contents API, start a session with ``kernel`` and run
    every code cell in order. Returns one dict per cell: status, error name/value,
    output types."""
    model = server.get(f"/api/contents/{path}?content=1")
    model.raise_for_status()
    notebook = model.json()["content"]
    session = server.post(
        "/api/sessions",
        {
            "path": path,
            "type": "notebook",
            "name": Path(path).name,
            "kernel": {"name": kernel},
        },
    )
    session.raise_for_status()
    session_id, kernel_id = session.json()["id"], session.json()["kernel"]["id"]
    ws_url = server.url.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels"
    conn = websocket.create_connection(ws_url, header=server.headers, timeout=timeout)
    results = []
    try:
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            results.append(_execute(conn, source, session_id, timeout))
            if results[-1]["status"] != "ok":
                break
    finally:
        conn.close()
        server.delete(f"/api/sessions/{session_id}")
    return results


def _execute(conn: websocket.WebSocket, code: str, session: str, timeout: float) -> dict:
    msg_id = uuid.uuid4().hex
    conn.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "username": "test",
                    "session": session,
                    "msg_type": "execute_request",
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": True,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
            }
        )
    )
    outputs, reply, idle = [], None, False
    deadline = time.monotonic() + timeout
    while (reply is None or not idle) and time.monotonic() < deadline:
        message = json.loads(conn.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "execute_reply":
            reply = message["content"]
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            idle = True
        elif kind in {"stream", "display_data", "execute_result", "error"}:
            outputs.append(message)
    if reply is None:
        return {"status": "timeout", "ename": "Timeout", "evalue": code[:80], "outputs": []}
    return {
        "status": reply["status"],
        "ename": reply.get("ename"),
        "evalue": reply.get("evalue"),
        "outputs": [m["msg_type"] for m in outputs],
        "stderr": "".join(
            m["content"].get("text", "")
            for m in outputs
            if m["msg_type"] == "stream" and m["content"].get("name") == "stderr"
        ),
    }
