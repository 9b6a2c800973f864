"""Traffic inside the cluster (grader/kube/traffic.py): a loadgen pod the grader starts,
waits on, stops through its activeDeadlineSeconds and removes, against the API mock.

The boundary that is faked: what the loadgen program does. tests/checks/ch16/cluster.py
plays it (requests answered from the mock's Services and endpoints, the log through a
reaction of the mock, the pod ended once its deadline is lowered), or, for the odd
cases, a few lines here. The program's own output is read from the real loadgen on
Docker where an engine and the image exist (test_real_loadgen_output_is_read)."""

from __future__ import annotations

import json
import subprocess
import threading
import time

import kmock
import pytest

from grader.errors import LabError
from grader.kube import client, rollouts, traffic
from grader.kube.actions import Session
from grader.labels import lab_labels
from grader.state.kube import kind_of
from tests.checks.ch16 import states
from tests.checks.ch16.cluster import Cluster
from tests.needs import require_images

LABELS = lab_labels("ch16", "grader")
SUMMARY = {"event": "summary", "requests": 10, "failed": 0, "seconds": 1.0, "rate": 10.0,
           "p50_ms": 1.5, "p99_ms": 3.0, "max_ms": 3.0, "errors": {}, "answers": {"ok": 10},
           "failed_at": []}


@pytest.fixture
def cluster(kube_mock):
    mock = kube_mock(states.solved(), namespace=states.NS)
    return mock, Session(client.api_client(mock.kubeconfig), states.NS, dict(LABELS), interval=0.05)


def loadgen_pods(mock) -> list[dict]:
    return [p for p in mock.objects("Pod", states.NS) if p["metadata"]["name"].startswith("grader-loadgen-")]


def test_events_and_summary_of_a_log():
    log = ("not json\n" + json.dumps({"event": "first-answer", "answer": "x"}) + "\n{broken\n"
           + json.dumps({**SUMMARY, "p50_ms": None, "p99_ms": None}) + "\n")
    assert [e["event"] for e in traffic.events(log)] == ["first-answer", "summary"]
    s = traffic.summary_of(log)
    assert (s.requests, s.failed, s.p50_ms, s.answers) == (10, 0, 0.0, {"ok": 10})
    assert traffic.summary_of("nothing here\n") is None


def test_the_pod_it_runs():
    m = traffic.manifest("grader-loadgen-abc", "http://web:3000/", concurrency=4, timeout="2s", limit=900)
    spec = m["spec"]
    assert spec["restartPolicy"] == "Never" and spec["activeDeadlineSeconds"] == 900
    assert spec["automountServiceAccountToken"] is False
    c = spec["containers"][0]
    assert c["image"] == "clabs/loadgen:1.0" and c["imagePullPolicy"] == "IfNotPresent"
    assert c["args"] == ["-url", "http://web:3000/", "-concurrency", "4", "-timeout", "2s"]


def test_traffic_through_a_service_counts_and_cleans_up(cluster, monkeypatch):
    mock, session = cluster
    sent = []
    real = rollouts.call

    def spy(session_, method, path, doing, **kw):
        if session_ is session:  # the played cluster writes through it too
            sent.append((method, path, kw.get("content_type"), kw.get("body")))
        return real(session_, method, path, doing, **kw)
    monkeypatch.setattr(rollouts, "call", spy)
    with Cluster(mock) as played:
        with traffic.ClusterTraffic(session, "http://web:3000/", warmup=10) as t:
            pods = loadgen_pods(mock)
            time.sleep(0.3)
            summary = t.stop()
        assert played.errors == []
    assert len(pods) == 1 and pods[0]["metadata"]["labels"] == LABELS
    assert summary.requests > 0 and summary.failed == 0
    assert set(summary.answers) == {"Pets Demo Application v2"}  # web selects green
    assert summary.p99_ms >= summary.p50_ms > 0
    # stopped by lowering the deadline, with a JSON patch; then removed
    assert sent == [("PATCH", f"/api/v1/namespaces/ch16/pods/{t.name}", "application/json-patch+json",
                     [{"op": "replace", "path": "/spec/activeDeadlineSeconds", "value": 1}])]
    assert loadgen_pods(mock) == [] and session.left == []


def test_no_first_answer_is_an_error_and_removes_the_pod(cluster):
    mock, session = cluster
    with Cluster(mock), pytest.raises(LabError, match=r"no first answer from http://nowhere:3000/ within 1s"), \
            traffic.ClusterTraffic(session, "http://nowhere:3000/", warmup=1):
        pass
    assert loadgen_pods(mock) == []


def test_a_missing_image_is_an_error_at_once(cluster):
    mock, session = cluster
    with Cluster(mock, missing_images=("clabs/loadgen:1.0",)):
        t0 = time.monotonic()
        with pytest.raises(LabError, match=r"traffic pod \(clabs/loadgen:1\.0\).*ImagePullBackOff"), \
                traffic.ClusterTraffic(session, "http://web:3000/", warmup=30):
            pass
        assert time.monotonic() - t0 < 10
    assert loadgen_pods(mock) == []


class Stub:
    """A kubelet for one odd loadgen pod: runs it, writes what ``log`` says, ends it
    when told (or never)."""

    def __init__(self, mock, log: str, *, exit_early: bool = False, end_on_deadline: bool = True):
        self.mock, self.log, self.exit_early, self.end = mock, log, exit_early, end_on_deadline
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        mock.handler[f"get /api/v1/namespaces/{states.NS}/pods/*/log"] << self.serve

    def serve(self, request):
        if not [o for o in self.mock.handler.current(kind_of("Pod"), states.NS)
                if o["metadata"]["name"] == request.url.path.split("/")[-2]]:
            raise kmock.KubernetesError(status=404, reason="NotFound", message="gone")
        return self.log.encode()

    def run(self):
        while not self._stop.is_set():
            for p in loadgen_pods(self.mock):
                state = None
                if not (p.get("status") or {}).get("phase"):
                    state = {"running": {"startedAt": states.T["web"]}}
                elif self.exit_early or (self.end and p["spec"]["activeDeadlineSeconds"] <= 1):
                    state = {"terminated": {"exitCode": 0 if not self.exit_early else 2,
                                            "reason": "Completed"}}
                if state and (p.get("status") or {}).get("containerStatuses", [{}])[0].get("state") != state:
                    p = dict(p, status={"phase": "Running" if "running" in state else "Failed",
                                        "containerStatuses": [{"name": "loadgen", "image": traffic.IMAGE,
                                                               "imageID": "", "ready": "running" in state,
                                                               "restartCount": 0, "state": state}]})
                    self.mock.add(p)
            self._stop.wait(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(5)


FIRST = json.dumps({"event": "first-answer", "answer": "ok"}) + "\n"


def test_loadgen_that_stops_before_answering(cluster):
    mock, session = cluster
    with Stub(mock, '{"event":"error","message":"-url is required"}\n', exit_early=True), \
            pytest.raises(LabError, match="the traffic generator stopped: .*-url is required"), \
            traffic.ClusterTraffic(session, "http://web:3000/", warmup=10):
        pass
    assert loadgen_pods(mock) == []


def test_no_summary_is_an_error(cluster):
    mock, session = cluster
    with Stub(mock, FIRST), traffic.ClusterTraffic(session, "http://web:3000/", warmup=10) as t, \
            pytest.raises(LabError, match="printed no summary"):
        t.stop()
    assert loadgen_pods(mock) == []


def test_a_pod_that_does_not_stop_is_an_error(cluster):
    mock, session = cluster
    with Stub(mock, FIRST, end_on_deadline=False), \
            traffic.ClusterTraffic(session, "http://web:3000/", warmup=10) as t, \
            pytest.raises(LabError, match="the grader's traffic could not be stopped"):
        t.stop(timeout=0.5)
    assert loadgen_pods(mock) == []


def test_a_pod_it_cannot_delete_is_named_in_left(cluster, monkeypatch):
    mock, session = cluster
    with Stub(mock, FIRST + json.dumps(SUMMARY) + "\n"):
        monkeypatch.setattr(session, "delete_pod", lambda *a, **k: (_ for _ in ()).throw(
            LabError("the cluster answered 500 to delete pod")))
        with traffic.ClusterTraffic(session, "http://web:3000/", warmup=10) as t:
            summary = t.stop()
    assert summary.requests == 10
    assert session.left == [(f"the grader's traffic pod {t.name} (the cluster answered 500 to delete pod): "
                            f"kubectl delete pod {t.name} -n ch16")]


@pytest.mark.engine
def test_real_loadgen_output_is_read(engine):
    """loadgen itself (the image) against a port nothing listens on, for one second: its
    lines are read as the grader reads the pod's log."""
    require_images(engine, traffic.IMAGE)
    out = subprocess.run(["docker", "run", "--rm", "--network", "none",
                          "--label", "org.container-labs.created-by=tests", traffic.IMAGE,
                          "-url", "http://127.0.0.1:9/", "-duration", "1", "-concurrency", "2"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    summary = traffic.summary_of(out.stdout)
    assert summary is not None and summary.requests > 0 and summary.failed == summary.requests
    assert summary.p50_ms == 0.0 and "connect: connection refused" in summary.errors
