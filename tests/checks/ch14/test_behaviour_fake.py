"""The ch14 behaviour checks against a stand-in engine (tests/checks/ch14/fakeswarm.py):
the grader's own trouble (no sample, an update that never ends, a restore the engine
refuses) is an error and visible, never a pass or the student's fail, and what the
grader changed is put back whatever happens. No Docker engine needed (~2 s)."""

import json
import xml.etree.ElementTree as ET

import pytest

from grader import chapters, poll, report, runner
from grader.traffic import Traffic
from tests.checks.ch14.fakeswarm import FakeApi, FakeClient, service_spec

FAST = {"update_delay": 0, "update_timeout": 2, "settle_timeout": 1}


def run(monkeypatch, tmp_path, client, *ids):
    monkeypatch.setattr("grader.engine.client", lambda timeout=60: client)
    results = runner.run(chapters.get("ch14"), tmp_path, only=list(ids), params=FAST)
    return {r.check.id: r for r in results}


def rolling_service():
    return {"web_web": service_spec("web_web", "clabs/nginx:v2", 10)}


def shop_service():
    return {"shop_web": service_spec("shop_web", "clabs/nginx:v1", 4, FailureAction="rollback",
                                     Monitor=10_000_000_000)}


def rolls_back(api, name, spec):
    """Swarm's verdict on a broken release: rolled back, the spec put back."""
    if "broken" in spec["TaskTemplate"]["ContainerSpec"]["Image"]:
        attrs = api.services[name]
        attrs["Spec"], attrs["PreviousSpec"] = attrs["PreviousSpec"], attrs["Spec"]
        return "rollback_completed"
    return "completed"


def test_batches_without_a_single_sample_is_an_error(monkeypatch, tmp_path):
    def lost(api, name):
        raise RuntimeError("the engine is too busy to list tasks")
    client = FakeClient(FakeApi(rolling_service(), tasks_of=lost))
    r = run(monkeypatch, tmp_path, client, "ch14.rolling.batches")["ch14.rolling.batches"]
    assert r.status == "error", (r.status, r.message)
    assert "could not sample the tasks of web_web" in r.message and "too busy" in r.message


def test_batches_with_samples_passes_and_counts_them(monkeypatch, tmp_path):
    client = FakeClient(FakeApi(rolling_service()))
    r = run(monkeypatch, tmp_path, client, "ch14.rolling.batches")["ch14.rolling.batches"]
    assert r.status == "pass", r.message
    assert all("samples" in line and "(0 samples" not in line for line in r.details["rollouts"])
    assert r.details["max_down"] == 0 and r.not_restored == []
    api = client.api
    assert api.spec("web_web") == rolling_service()["web_web"]  # put back exactly
    assert all(c.removed for c in client.containers.started)   # loadgen removed


def test_rollback_update_that_never_ends_is_an_error_and_shop_web_is_put_back(monkeypatch,
                                                                              tmp_path):
    def hangs(api, name, spec):  # the broken update never ends; putting v1 back does
        return None if "broken" in spec["TaskTemplate"]["ContainerSpec"]["Image"] else "completed"
    api = FakeApi(shop_service(), on_update=hangs)
    r = run(monkeypatch, tmp_path, FakeClient(api), "ch14.rollback.auto")["ch14.rollback.auto"]
    assert r.status == "error", (r.status, r.message)  # a timeout: the grader's trouble
    assert "not reached within 2s" in r.message
    assert api.spec("shop_web")["TaskTemplate"]["ContainerSpec"]["Image"] == "clabs/nginx:v1"
    assert [s["TaskTemplate"]["ContainerSpec"]["Image"] for _, s in api.posted] == \
        ["clabs/nginx:broken", "clabs/nginx:v1"]
    assert r.not_restored == []


def test_rollback_with_tasks_left_on_the_broken_image_fails(monkeypatch, tmp_path):
    def half_back(api, name):  # swarm says rolled back, two tasks still on the broken image
        return [{"Spec": {"ContainerSpec": {"Image": image}}, "Status": {"State": state}}
                for image, state in [("clabs/nginx:v1", "running")] * 2 +
                [("clabs/nginx:broken", "starting")] * 2]
    api = FakeApi(shop_service(), on_update=rolls_back, tasks_of=half_back)
    r = run(monkeypatch, tmp_path, FakeClient(api), "ch14.rollback.auto")["ch14.rollback.auto"]
    assert r.status == "fail", (r.status, r.message)
    assert "2 × clabs/nginx:broken starting" in r.message and r.check.hint


def test_rollback_back_on_v1_passes(monkeypatch, tmp_path):
    api = FakeApi(shop_service(), on_update=rolls_back)
    r = run(monkeypatch, tmp_path, FakeClient(api), "ch14.rollback.auto")["ch14.rollback.auto"]
    assert r.status == "pass", r.message
    assert r.details["tasks_after"] == 4


def test_a_restore_the_engine_refuses_is_in_every_report(monkeypatch, tmp_path):
    def refuses_v1(api, name, spec):
        if spec["TaskTemplate"]["ContainerSpec"]["Image"] == "clabs/nginx:v1":
            return "rpc error: the manager is unavailable"
    def hangs(api, name, spec):
        return None
    api = FakeApi(shop_service(), on_update=hangs, refuse=refuses_v1)
    results = run(monkeypatch, tmp_path, FakeClient(api), "ch14.rollback.auto")
    r = results["ch14.rollback.auto"]
    assert r.status == "error"
    assert r.not_restored and "could not restore shop_web" in r.not_restored[0]
    assert "manager is unavailable" in r.not_restored[0]
    listed = list(results.values())
    doc = json.loads(report.to_json(listed, "ch14", tmp_path))
    assert doc["not_restored"] == r.not_restored and doc["exit_code"] == 2
    assert doc["checks"][0]["not_restored"] == r.not_restored
    case = ET.fromstring(report.to_junit(listed, "ch14")).find("testcase")
    assert r.not_restored[0] in case.find("system-err").text
    assert [p.get("value") for p in case.iter("property") if p.get("name") == "not_restored"] \
        == r.not_restored
    from rich.console import Console
    console = Console(width=200, record=True)
    console.print(report.table(listed, "t"))
    text = console.export_text()
    assert "Not restored" in text and "could not restore shop_web" in text
    assert "1 not restored" in text
    assert "not restored: could not restore shop_web" in report.to_html(listed, "t")


def test_traffic_that_never_answers_is_a_grader_error_not_a_fail():
    client = FakeClient(FakeApi({}), loadgen_answers=False)
    with pytest.raises(poll.Timeout) as err:
        with Traffic(client, "http://tasks.web_web/", "ch14-lab", {}, warmup=0.3):
            pass
    assert not isinstance(err.value, AssertionError)  # the plugin reports it as an error
    assert client.containers.started[0].removed
