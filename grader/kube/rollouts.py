"""What behaviour checks do to Deployments (grader/kube/actions.py holds the pod actions,
grader/kube/services.py the Service ones, grader/kube/inside.py the look inside a
program): update a Deployment's image and undo it the way kubectl does, wait for a
rollout the way ``kubectl rollout status`` does, and follow a Deployment's own pods by
a label while it rolls. The API requests of all three (:func:`call`, :func:`patch`) live
here.

Every function takes a :class:`grader.kube.actions.Session` (namespace, labels for what
the grader creates, ``left``). Writes are JSON patches (``application/json-patch+json``)
that first ``test`` the value they replace where one is known, so a change somebody
made meanwhile is refused rather than overwritten. Outcomes as in actions.py: the
student's objects not doing their part (a rollout that does not finish, a pod that is
never ready) fail the check; the API server's trouble is a LabError.
"""

from __future__ import annotations

import copy
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass

from grader import poll
from grader.errors import LabError
from grader.kube.pods import describe, is_ready

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
# annotations kubectl rollout undo leaves as the Deployment has them
_KEEP_ON_UNDO = {"kubectl.kubernetes.io/last-applied-configuration", REVISION,
                 "deployment.kubernetes.io/revision-history",
                 "deployment.kubernetes.io/desired-replicas",
                 "deployment.kubernetes.io/max-replicas",
                 "deprecated.deployment.rollback.to"}
JSON_PATCH = "application/json-patch+json"


def call(session, method: str, path: str, doing: str, *, body=None, content_type=None,
          query=None, missing_ok: bool = False):
    """One API request with a content type of our choosing (a PATCH needs its own)."""
    from grader.kube import client
    status, data = client.request(session.api, method, path, query=query, body=body,
                                  content_type=content_type or "application/json")
    if status == 404 and missing_ok:
        return None
    if status >= 300:
        raise client.http_error(session.api, status, data, doing)
    try:
        return json.loads(data or b"{}")
    except ValueError:
        raise LabError(f"the API server's answer to {doing} is not JSON: {data[:80]!r}") from None


def api_path(session, kind: str, name: str = "") -> str:
    base = {"deployments": "/apis/apps/v1", "replicasets": "/apis/apps/v1",
            "services": "/api/v1", "pods": "/api/v1", "endpointslices": "/apis/discovery.k8s.io/v1"}[kind]
    return f"{base}/namespaces/{session.namespace}/{kind}" + (f"/{name}" if name else "")


def patch(session, kind: str, name: str, ops: list[dict], doing: str) -> dict:
    """Apply a JSON patch to ``kind``/``name`` (plural: ``deployments``)."""
    return call(session, "PATCH", api_path(session, kind, name), doing, body=ops,
                 content_type=JSON_PATCH)


def patch_pod(session, name: str, ops: list[dict], doing: str) -> dict:
    """Apply a JSON patch to pod ``name`` (the few fields a running pod may change)."""
    return patch(session, "pods", name, ops, doing)


def listed(session, kind: str, doing: str, query=None) -> list[dict]:
    got = call(session, "GET", api_path(session, kind), doing, query=query)
    return list(got.get("items") or [])


# ---- Deployments ------------------------------------------------------------------------


def deployment(session, name: str) -> dict | None:
    """Deployment ``name`` as the server has it now, or None."""
    return call(session, "GET", api_path(session, "deployments", name), f"read deployment {name}",
                 missing_ok=True)


def revision(obj: dict) -> int:
    """The revision a Deployment or ReplicaSet carries (0 when none)."""
    try:
        return int(((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, 0))
    except ValueError:
        return 0


def replica_sets(session, dep: dict) -> list[dict]:
    """The ReplicaSets that ``dep`` owns, newest revision first."""
    uid = dep["metadata"].get("uid")
    rss = [rs for rs in listed(session, "replicasets", "list the ReplicaSets")
           if any(r.get("uid") == uid for r in rs["metadata"].get("ownerReferences") or [])]
    return sorted(rss, key=revision, reverse=True)


def _container_index(dep: dict, container: str) -> int:
    names = [c.get("name") for c in dep["spec"]["template"]["spec"].get("containers") or []]
    assert container in names, \
        f"Deployment {dep['metadata']['name']} has no container {container} (it has {', '.join(names)})"
    return names.index(container)


def set_image(session, dep: dict, container: str, image: str) -> dict:
    """``kubectl set image deployment/NAME CONTAINER=IMAGE``; refused if the container's
    image changed since ``dep`` was read."""
    name = dep["metadata"]["name"]
    i = _container_index(dep, container)
    now = dep["spec"]["template"]["spec"]["containers"][i].get("image")
    where = f"/spec/template/spec/containers/{i}"
    return patch(session, "deployments", name, [
        {"op": "test", "path": f"{where}/name", "value": container},
        {"op": "test", "path": f"{where}/image", "value": now},
        {"op": "replace", "path": f"{where}/image", "value": image}],
        f"set the image of deployment {name} to {image}")


def template_of(rs: dict) -> dict:
    """A ReplicaSet's pod template as its Deployment had it (no pod-template-hash)."""
    tmpl = copy.deepcopy(rs["spec"]["template"])
    labels = (tmpl.get("metadata") or {}).get("labels") or {}
    labels.pop(HASH_LABEL, None)
    return tmpl


def undo(session, name: str) -> dict:
    """``kubectl rollout undo deployment/NAME``: the pod template of the previous
    revision's ReplicaSet back into the Deployment (with its annotations, as kubectl
    does). AssertionError when there is no previous revision."""
    dep = deployment(session, name)
    assert dep, f"no Deployment {name} in namespace {session.namespace}"
    assert not dep["spec"].get("paused"), \
        f"Deployment {name} is paused: `kubectl rollout resume deployment/{name}` first"
    rss = [rs for rs in replica_sets(session, dep) if revision(rs)]
    assert len(rss) >= 2, f"Deployment {name} has no earlier revision to go back to"
    previous = rss[1]
    annotations = {k: v for k, v in (dep["metadata"].get("annotations") or {}).items()
                   if k in _KEEP_ON_UNDO}
    annotations.update({k: v for k, v in (previous["metadata"].get("annotations") or {}).items()
                        if k not in _KEEP_ON_UNDO})
    return patch(session, "deployments", name, [
        {"op": "replace", "path": "/spec/template", "value": template_of(previous)},
        {"op": "add", "path": "/metadata/annotations", "value": annotations}],
        f"undo the last rollout of deployment {name}")


def restore_template(session, name: str, template: dict) -> dict:
    """Put ``template`` (as read before the grader changed anything) back."""
    return patch(session, "deployments", name,
                 [{"op": "replace", "path": "/spec/template", "value": template}],
                 f"restore the pod template of deployment {name}")


def same_template(a: dict, b: dict) -> bool:
    """Two pod templates alike but for the pod-template-hash label."""
    def plain(t: dict) -> dict:
        t = copy.deepcopy(t)
        ((t.get("metadata") or {}).get("labels") or {}).pop(HASH_LABEL, None)
        return t
    return plain(a) == plain(b)


def rollout_state(dep: dict, rss: list[dict]) -> tuple[bool, str]:
    """(done, what is awaited) as ``kubectl rollout status`` says it, and also that a
    ReplicaSet of the current template exists (a server bumps the generation on the
    write; this holds without it). AssertionError past the progress deadline."""
    name, spec, status = dep["metadata"]["name"], dep["spec"], dep.get("status") or {}
    if dep["metadata"].get("generation", 0) > status.get("observedGeneration", 0):
        return False, "the new spec is not observed yet"
    for c in status.get("conditions") or []:
        if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
            raise AssertionError(f"Deployment {name} exceeded its progress deadline: "
                                 f"{c.get('message', '')}")
    new = next((rs for rs in rss if same_template(rs["spec"]["template"], spec["template"])), None)
    if new is None:
        return False, "no ReplicaSet of the new template yet"
    want = spec.get("replicas", 1)
    updated, total = status.get("updatedReplicas", 0), status.get("replicas", 0)
    available = status.get("availableReplicas", 0)
    if updated < want:
        return False, f"{updated} of {want} new replicas updated"
    if total > updated:
        return False, f"{total - updated} old replicas pending termination"
    if available < updated:
        return False, f"{available} of {updated} updated replicas available"
    # the ReplicaSets' own counts agree (they lag the Deployment's by a moment)
    new_status = new.get("status") or {}
    if new["spec"].get("replicas", 0) != want or new_status.get("availableReplicas", 0) < want:
        return False, f"{new['metadata']['name']} has {new_status.get('availableReplicas', 0)} of {want} available"
    old = [rs for rs in rss if rs is not new and (rs["spec"].get("replicas") or (rs.get("status") or {}).get("replicas"))]
    if old:
        return False, f"{old[0]['metadata']['name']} still has pods"
    return True, f"{new['metadata']['name']} rolled out ({available} available)"


@dataclass
class Rolled:
    """A finished rollout: the ReplicaSet in use, its revision and hash, how long."""

    deployment: str
    replica_set: str
    revision: int
    template_hash: str
    seconds: float

    def line(self) -> str:
        return (f"{self.deployment}: {self.replica_set} (revision {self.revision}) rolled out "
                f"in {self.seconds:.1f}s")


def wait_rollout(session, name: str, timeout: float) -> Rolled:
    """Until Deployment ``name`` has rolled out; AssertionError with where it stood
    after ``timeout`` seconds (a rollout that does not finish is the student's)."""
    start, seen = time.monotonic(), {"what": "not read yet", "pods": ""}

    def done():
        dep = deployment(session, name)
        if dep is None:
            raise poll.GaveUp(f"Deployment {name} was deleted during the rollout")
        rss = replica_sets(session, dep)
        ok, seen["what"] = rollout_state(dep, rss)
        if not ok:
            return None
        new = next(rs for rs in rss if same_template(rs["spec"]["template"], dep["spec"]["template"]))
        labels = new["spec"]["template"]["metadata"].get("labels") or {}
        return Rolled(name, new["metadata"]["name"], revision(new), labels.get(HASH_LABEL, ""),
                      time.monotonic() - start)
    try:
        return session._wait(done, timeout, f"deployment {name} rolled out")
    except poll.Timeout:
        dep = deployment(session, name) or {}
        selector = (dep.get("spec") or {}).get("selector") or {}
        pods = [p for p in session.pods(selector) if not is_ready(p)] if selector else []
        raise AssertionError(f"Deployment {name} had not rolled out {timeout:g}s after the "
                             f"grader changed it: {seen['what']}"
                             + (f"; not ready: {', '.join(describe(p) for p in pods[:3])}"
                                if pods else "")) from None


@contextmanager
def labelling(session, dep: dict, key: str, value: str, *, interval: float = 0.2):
    """While the block runs, a thread gives every pod of Deployment ``dep``'s
    ReplicaSets (old and new, as they appear) the label ``key=value``, so a Service of
    the grader's that selects it follows exactly that Deployment's pods (other
    workloads may carry the same labels: blue and green do). On the way out the label
    is taken off every pod that has it (``left`` names any it could not be taken off).
    LabError after the block when the thread could not label."""
    import threading
    uid = dep["metadata"]["uid"]
    stop, trouble, done = threading.Event(), [], set()
    path = f"/metadata/labels/{key.replace('~', '~0').replace('/', '~1')}"

    def mine() -> list[dict]:
        rss = {rs["metadata"]["uid"] for rs in replica_sets(session, dep)}
        return [p for p in session.pods(dep["spec"]["selector"])
                if any(r.get("uid") in rss for r in p["metadata"].get("ownerReferences") or [])]

    def label(name: str) -> None:
        try:
            patch_pod(session, name, [{"op": "add", "path": path, "value": value}],
                      f"label pod {name} for the grader's traffic")
            done.add(name)
        except LabError:
            if session.pod(name) is not None:  # gone meanwhile: nothing to follow
                raise

    def run():
        while not stop.is_set():
            try:
                for p in mine():
                    if (p["metadata"].get("labels") or {}).get(key) != value and \
                            not p["metadata"].get("deletionTimestamp"):
                        label(p["metadata"]["name"])
            except LabError as err:
                trouble.append(str(err))
            stop.wait(interval)
    assert uid, f"Deployment {dep['metadata']['name']} has no uid"
    thread = threading.Thread(target=run, daemon=True, name="grader-labelling")
    thread.start()
    try:
        yield done
    finally:
        stop.set()
        thread.join(30)
        try:
            for p in session.pods({key: value}):
                try:
                    patch_pod(session, p["metadata"]["name"], [{"op": "remove", "path": path}],
                              f"take the grader's label off pod {p['metadata']['name']}")
                except LabError:
                    if session.pod(p["metadata"]["name"]) is not None:
                        raise
        except LabError as err:
            session.left.append(f"pods of {dep['metadata']['name']} keep the label {key}={value} "
                                f"({err}): kubectl label pods -l {key}={value} {key}-")
    if trouble:
        raise LabError(f"the grader could not follow the pods of {dep['metadata']['name']}: {trouble[-1]}")
