"""The parts of a cluster the ch16 behaviour checks rely on, played by the test against
the API mock (which stores objects and acts on none), in a thread:
``with Cluster(mock) as c: ...``.

- the API server's own bump of ``metadata.generation`` when a Deployment's template
  changes (the mock does not bump it);
- the Deployment controller: a ReplicaSet per pod template (a new one, or the earlier
  one again after an undo, with the next revision and ``revision-history``), scaled in
  steps of maxSurge / maxUnavailable, or all at once for Recreate; its status;
- the ReplicaSet controller: pods to match ``spec.replicas``; its status;
- the endpoint-slice controller: a slice per Service from the pods it selects;
- the kubelet: a new pod runs after ``start_delay`` (its images in ``missing_images``:
  ImagePullBackOff instead); its program answers
  ``program_start`` seconds after that; with a readiness probe the pod is Ready from
  then on, without one at once (so traffic reaches it before it answers: what a
  readiness probe exists to prevent); probes-demo is restarted every
  ``restart_every`` seconds (None: never);
- the programs behind the grader's pods, the boundary that is faked: a toolbox pod's
  request (``wget`` / ``getent`` + ``nc``) answered from the Services, endpoints and
  images in the mock; the loadgen pod's requests, one per worker per tick, sent to a
  ready endpoint of its target Service round robin (failed when there is none, or its
  program does not answer yet), its log (first-answer, and the summary once the
  grader lowers the pod's activeDeadlineSeconds); a grader's copy of a pod, whose
  ``peek`` container reads the files and environment the kubelet would give the
  program, from the pod spec and the mock's Secrets.

Writes of status go through JSON patches of ``/status`` (as a controller's status
update), so they never overwrite what the grader patched meanwhile.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Self

import kmock

from grader.kube import client
from grader.kube.actions import Session, is_ready
from grader.kube.rollouts import REVISION, patch, revision, same_template
from grader.state.kube import kind_of
from tests.checks.ch15.objects import set_condition, suffix
from tests.checks.ch16 import states as s
from tests.checks.ch16.programs import Loadgen, Programs
from tests.kubemock.objects import endpoint_slice


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _owned(objs: list[dict], owner: dict) -> list[dict]:
    return [o for o in objs if any(r.get("uid") == owner["metadata"]["uid"]
                                   for r in o["metadata"].get("ownerReferences") or [])]


def _count(value, desired: int, up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        exact = desired * int(value[:-1]) / 100
        return int(-(-exact // 1)) if up else int(exact)
    return int(value)


class Cluster(Programs):
    def __init__(self, mock, *, start_delay: float = 0.15, program_start: float = 0.3,
                 restart_every: float | None = None, tick: float = 0.05, namespace: str = s.NS,
                 missing_images: tuple[str, ...] = ()):
        self.mock, self.ns, self.tick = mock, namespace, tick
        self.start_delay, self.program_start, self.restart_every = start_delay, program_start, restart_every
        self.missing_images = set(missing_images)   # not on the nodes: ImagePullBackOff
        self.session = Session(client.api_client(mock.kubeconfig), namespace)
        self.answering: dict[str, float] = {}   # pod name -> when its program answers
        self.pending: dict[str, float] = {}
        self.templates: dict[str, dict] = {}
        self.loadgens: dict[str, Loadgen] = {}
        self.requests: list[list[str]] = []      # the toolbox pods' commands
        self.copies: list[dict] = []             # the grader's copies, as created
        self.errors: list[str] = []
        self.rr = 0
        self.last_restart = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="ch16-cluster")
        mock.handler[f"get /api/v1/namespaces/{namespace}/pods/*/log"] << self._log

    def __enter__(self) -> Self:
        now = time.monotonic()
        for p in self.mock.objects("Pod", self.ns):  # what runs already answers
            self.answering[p["metadata"]["name"]] = now
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step(time.monotonic())
            except Exception as err:  # noqa: BLE001  (reported: tests assert there is none)
                if not self._stop.is_set():
                    self.errors.append(f"{type(err).__name__}: {err}")
            self._stop.wait(self.tick)

    def _log(self, request):
        name = request.url.path.split("/")[-2]
        gen = self.loadgens.get(name)
        # on the mock's own event loop: read its store directly (mock.get would wait on it)
        here = [o for o in self.mock.handler.current(kind_of("Pod"), self.ns) if o["metadata"]["name"] == name]
        if gen is None or not here:
            raise kmock.KubernetesError(status=404, reason="NotFound", message=f'pods "{name}" not found')
        return ("\n".join(gen.lines) + "\n").encode()

    def _status(self, kind: str, name: str, status: dict, extra=()) -> None:
        patch(self.session, kind, name, [{"op": "add", "path": "/status", "value": status}, *extra],
              f"write the status of {kind} {name}")

    # -- one round of every controller ---------------------------------------------------

    def step(self, now: float) -> None:
        self.deployments()
        self.replica_sets()
        self.kubelet(now)
        self.endpoints()
        self.traffic(now)

    def deployments(self) -> None:
        objs = self.mock.objects(None, self.ns)
        for dep in [o for o in objs if o["kind"] == "Deployment"]:
            name, uid = dep["metadata"]["name"], dep["metadata"]["uid"]
            seen = self.templates.get(uid)
            self.templates[uid] = copy.deepcopy(dep["spec"]["template"])
            if seen is not None and seen != dep["spec"]["template"]:  # the API server's part
                patch(self.session, "deployments", name, [{"op": "replace", "path": "/metadata/generation",
                                                           "value": dep["metadata"].get("generation", 1) + 1}],
                      "bump the generation")
                continue
            rss = [o for o in _owned(objs, dep) if o["kind"] == "ReplicaSet"]
            top = max((revision(rs) for rs in rss), default=0)
            new = next((rs for rs in rss if same_template(rs["spec"]["template"], dep["spec"]["template"])), None)
            if new is None:
                rs = s.replica_set(dep, dep["spec"]["template"], 0, revision=top + 1, created=_now())
                rs["status"] = {"replicas": 0}
                self.mock.add(rs)
                continue
            if revision(new) < top:  # an earlier template again: the ReplicaSet is reused
                patch(self.session, "replicasets", new["metadata"]["name"], [
                    {"op": "add", "path": f"/metadata/annotations/{_esc(REVISION)}", "value": str(top + 1)},
                    {"op": "add", "path": "/metadata/annotations/deployment.kubernetes.io~1revision-history",
                     "value": str(revision(new))}], "reuse a ReplicaSet")
                continue
            self._scale(dep, new, [rs for rs in rss if rs is not new], objs)

    def _scale(self, dep: dict, new: dict, olds: list[dict], objs: list[dict]) -> None:
        desired = dep["spec"].get("replicas", 1)
        strategy = dep["spec"].get("strategy") or {}
        pods = [o for o in objs if o["kind"] == "Pod"]

        def ready(rs):
            return sum(is_ready(p) for p in _owned(pods, rs))

        def scale(rs, n):
            if rs["spec"].get("replicas", 0) != n:
                patch(self.session, "replicasets", rs["metadata"]["name"],
                      [{"op": "replace", "path": "/spec/replicas", "value": n}], "scale")
        if strategy.get("type") == "Recreate":
            if any(rs["spec"].get("replicas") for rs in olds) or any(_owned(pods, rs) for rs in olds):
                for rs in olds:
                    scale(rs, 0)
            else:
                scale(new, desired)
        else:
            ru = strategy.get("rollingUpdate") or {}
            surge = _count(ru.get("maxSurge", "25%"), desired, True)
            unavailable = _count(ru.get("maxUnavailable", "25%"), desired, False)
            total = sum(rs["spec"].get("replicas", 0) for rs in [new, *olds])
            if new["spec"].get("replicas", 0) < desired and total < desired + surge:
                scale(new, min(desired, new["spec"].get("replicas", 0) + desired + surge - total))
            for rs in olds:  # unhealthy old pods go first, whatever maxUnavailable says
                if rs["spec"].get("replicas", 0) > ready(rs):
                    scale(rs, ready(rs))
                    rs["spec"]["replicas"] = ready(rs)
            spare = sum(ready(rs) for rs in [new, *olds]) - (desired - unavailable)
            for rs in olds:
                n = rs["spec"].get("replicas", 0)
                if n and spare > 0:
                    take = min(n, spare)
                    scale(rs, n - take)
                    spare -= take
        owned = [o for o in objs if o["kind"] == "ReplicaSet" and o["metadata"]["uid"] in
                 {r["metadata"]["uid"] for r in [new, *olds]}]
        for rs in owned:  # the ReplicaSet controller's counts, as the Deployment reads them
            mine = _owned(pods, rs)
            rs.setdefault("status", {}).update(replicas=len(mine), readyReplicas=ready(rs))
        st = s.deployment_status(copy.deepcopy(dep), owned)["status"]
        if st != dep.get("status"):
            self._status("deployments", dep["metadata"]["name"], st)

    def replica_sets(self) -> None:
        objs = self.mock.objects(None, self.ns)
        pods = [o for o in objs if o["kind"] == "Pod"]
        for rs in [o for o in objs if o["kind"] == "ReplicaSet"]:
            mine = _owned(pods, rs)
            want = rs["spec"].get("replicas", 0)
            for i in range(want - len(mine)):
                name = f"{rs['metadata']['name']}-{suffix(rs['metadata']['name'], str(time.monotonic()), str(i))}"
                p = s.pod_from(rs["spec"]["template"], name, "0.0.0.0", rs, _now())
                for key in ("uid", "resourceVersion", "creationTimestamp"):
                    p["metadata"].pop(key)
                p.pop("status")
                p["spec"].pop("nodeName")
                self.mock.add(p)
            extra = sorted(mine, key=lambda p: (is_ready(p), p["metadata"].get("creationTimestamp", "")))
            for p in extra[:max(0, len(mine) - want)]:
                self.mock.delete("Pod", p["metadata"]["name"], self.ns)
            ready = sum(map(is_ready, mine))
            st = {"replicas": len(mine), "fullyLabeledReplicas": len(mine), "observedGeneration": 1}
            if ready:
                st.update(readyReplicas=ready, availableReplicas=ready)
            if st != rs.get("status"):
                self._status("replicasets", rs["metadata"]["name"], st)

    def endpoints(self) -> None:
        objs = self.mock.objects(None, self.ns)
        pods = [o for o in objs if o["kind"] == "Pod"]
        current = {o["metadata"]["name"]: o for o in objs if o["kind"] == "EndpointSlice"}
        for svc in [o for o in objs if o["kind"] == "Service"]:
            sel = svc["spec"].get("selector") or {}
            chosen = [p for p in pods if sel and (p.get("status") or {}).get("podIP")
                      and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())]
            sl = endpoint_slice(svc, chosen)
            have = current.get(sl["metadata"]["name"])
            if have is None or have.get("endpoints") != sl["endpoints"]:
                self.mock.add(sl)

    # -- the kubelet ---------------------------------------------------------------------------

    def kubelet(self, now: float) -> None:
        for p in self.mock.objects("Pod", self.ns):
            name = p["metadata"]["name"]
            status = p.get("status") or {}
            if not status.get("phase"):
                self.pending.setdefault(name, now)
                if now - self.pending[name] >= self.start_delay:
                    self.start(p, now)
            elif name in self.loadgens:
                if p["spec"].get("activeDeadlineSeconds", 99) <= 1 and not self.loadgens[name].done:
                    self.stop_loadgen(p)
            elif status.get("phase") == "Running" and not is_ready(p) and name in self.pending \
                    and self.answering.get(name, now + 1) <= now and not name.startswith("grader-"):
                self._status("pods", name, set_condition(copy.deepcopy(p), ready=True)["status"])
            elif name == "probes-demo" and self.restart_every and now - self.last_restart >= self.restart_every:
                self.last_restart = now
                st = copy.deepcopy(status)
                st["containerStatuses"][0]["restartCount"] += 1
                self._status("pods", name, st)

    def _running(self, p: dict, ready: bool) -> dict:
        p = copy.deepcopy(p)
        p["spec"]["nodeName"] = s.ch15.NODE
        self.rr += 1
        ip = f"10.244.9.{self.rr % 250 + 2}"
        p["status"] = {"phase": "Running", "qosClass": "BestEffort", "hostIP": s.NODE_IP,
                       "hostIPs": [{"ip": s.NODE_IP}], "podIP": ip, "podIPs": [{"ip": ip}],
                       "startTime": _now()}
        return set_condition(p, ready=ready)

    def start(self, p: dict, now: float) -> None:
        name = p["metadata"]["name"]
        extra = [{"op": "add", "path": "/spec/nodeName", "value": s.ch15.NODE}]
        missing = [c["image"] for c in p["spec"]["containers"] if c["image"] in self.missing_images]
        if missing:
            st = set_condition(self._running(p, ready=False), ready=False, phase="Pending", waiting=(
                "ImagePullBackOff", f'Back-off pulling image "{missing[0]}"'))["status"]
            return self._status("pods", name, st, extra)
        if name.startswith("grader-toolbox-"):
            return self._status("pods", name, self.toolbox(p), extra)
        if name.startswith("grader-copy-"):
            self.copies.append(copy.deepcopy(p))
            return self._status("pods", name, self.peek(p), extra)
        probed = any(c.get("readinessProbe") for c in p["spec"]["containers"])
        self.answering[name] = now + self.program_start
        if name.startswith("grader-loadgen-"):
            args = p["spec"]["containers"][0]["args"]
            self.loadgens[name] = Loadgen(args[args.index("-url") + 1],
                                          int(args[args.index("-concurrency") + 1]))
        self._status("pods", name, self._running(p, ready=not probed)["status"], extra)

    def _terminated(self, p: dict, code: int, message: str, container: str) -> dict:
        st = self._running(p, ready=False)["status"]
        for cs in st["containerStatuses"]:
            if cs["name"] == container:
                cs.update(ready=False, started=False, state={"terminated": {
                    "exitCode": code, "reason": "Completed" if code == 0 else "Error",
                    "message": message, "startedAt": _now(), "finishedAt": _now()}})
        return st

    def stop_loadgen(self, p: dict) -> None:
        gen = self.loadgens[p["metadata"]["name"]]
        gen.done = True
        gen.lines.append(gen.summary())
        st = self._terminated(p, 0, "", "loadgen")
        st.update(phase="Failed", reason="DeadlineExceeded",
                  message="Pod was active on the node longer than the specified deadline")
        self._status("pods", p["metadata"]["name"], st)
