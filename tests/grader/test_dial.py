"""grader.dial, the code that dials what a check reaches through a published port: the
same answers called in-process and run as a script (how a class-grading sandbox runs
it, in its own network namespace), and probes.http/redis_ping sending requests to
the dialer named in LAB_DIAL_VIA. The route through a real sandbox is proven in
tests/grader/grading/test_examples.py (ch10)."""

import http.server
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from grader import dial, probes
from grader.errors import LabError


@pytest.fixture
def server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            code = 200 if self.path == "/ready" else 404
            self.send_response(code)
            self.end_headers()
            self.wfile.write(f"{self.command} {self.path}".encode())

        do_DELETE = do_GET

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(201)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture
def fake_redis():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)

    def serve():
        conn, _ = sock.accept()
        if conn.recv(64) == b"*1\r\n$4\r\nPING\r\n":
            conn.sendall(b"+PONG\r\n")
        conn.close()
    threading.Thread(target=serve, daemon=True).start()
    yield sock.getsockname()[1]
    sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_http_answers_errors_and_silence(server):
    assert dial.http("GET", server + "/ready") == (200, "GET /ready")
    assert dial.http("GET", server + "/nope") == (404, "GET /nope")
    assert dial.http("POST", server + "/register", {"name": "ann"}) == (201, '{"name": "ann"}')
    assert dial.http("DELETE", server + "/users/ann") == (404, "DELETE /users/ann")
    status, body = dial.http("GET", f"http://127.0.0.1:{free_port()}/", timeout=1)
    assert status == 0 and body.startswith("no answer:")


def test_redis_ping_and_nothing_listening(fake_redis):
    assert dial.redis_ping("127.0.0.1", fake_redis) == "+PONG"
    assert dial.redis_ping("127.0.0.1", free_port()).startswith("no answer:")


def test_run_as_a_script_it_answers_the_same(server, fake_redis):
    script = Path(dial.__file__).read_text()
    for request, want in [
            ({"do": "http", "method": "GET", "url": server + "/ready"}, [200, "GET /ready"]),
            ({"do": "redis_ping", "host": "127.0.0.1", "port": fake_redis}, "+PONG")]:
        # as the dialer runs it: the file's text on the command line, no grader installed
        p = subprocess.run([sys.executable, "-I", "-c", script, json.dumps(request)],
                           capture_output=True, text=True, timeout=30, check=False)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout) == want


def test_probes_dial_here_without_a_dialer(server, monkeypatch):
    monkeypatch.delenv(probes.DIAL_VIA, raising=False)
    reply = probes.http("GET", server + "/ready")
    assert (reply.status, reply.body) == (200, "GET /ready")


class FakeExecApi:
    """The three exec calls of the dial route, answering as a dialer container would."""

    def __init__(self, out: bytes, code: int = 0, err: bytes = b""):
        self.out, self.code, self.err, self.calls = out, code, err, []

    def exec_create(self, container, cmd):
        self.calls.append((container, cmd))
        return {"Id": "exec-1"}

    def exec_start(self, exec_id, demux):
        return self.out, self.err

    def exec_inspect(self, exec_id):
        return {"ExitCode": self.code}


def test_with_a_dialer_every_request_runs_in_it(monkeypatch):
    monkeypatch.setenv(probes.DIAL_VIA, "dialer-1")
    api = FakeExecApi(b'[200, "from inside"]\n')
    monkeypatch.setattr(probes, "_dial_client", [api])
    reply = probes.http("GET", "http://127.0.0.1:8080/ready")
    assert (reply.status, reply.body) == (200, "from inside")
    [(container, cmd)] = api.calls
    assert container == "dialer-1" and cmd[:2] == ["python3", "-c"]
    assert cmd[2] == Path(dial.__file__).read_text()
    assert json.loads(cmd[3])["url"] == "http://127.0.0.1:8080/ready"


@pytest.mark.parametrize(("out", "code", "err"), [(b"", 1, b"Traceback ...\nOSError: boom"),
                                                  (b"not json", 0, b"")])
def test_a_dialer_that_fails_is_the_graders_error(monkeypatch, out, code, err):
    monkeypatch.setenv(probes.DIAL_VIA, "dialer-1")
    monkeypatch.setattr(probes, "_dial_client", [FakeExecApi(out, code, err)])
    with pytest.raises(LabError, match="could not dial inside the sandbox"):
        probes.redis_ping("127.0.0.1", 6379)
