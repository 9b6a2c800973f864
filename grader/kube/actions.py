"""What behaviour checks do to a cluster, through the official Kubernetes client: delete
a pod and wait for its replacement, recreate a pod from its live spec, exec a command in
a pod, run a short-lived toolbox pod that makes a request inside the cluster.

Everything goes through a :class:`Session`: one namespace, the labels every object the
grader creates carries (``grader_labels``), and ``left``: what the session changed and
could not put back, one line each, ready for a check's message. Each action restores
what it changed in a ``finally`` (the toolbox pod is deleted, a deleted pod is created
again from its spec) and records in ``left`` what it could not.

Outcomes: the student's state not being what the action needs (no pod to delete, no
replacement within the bound, a file missing) is an ``AssertionError`` (the check
fails); the grader's own trouble (an API error, its toolbox pod not starting, its exec
stream timing out) is a :class:`~grader.errors.LabError` (the check errors).

Nothing here is imported by static or live-state checks: the client (``import
kubernetes`` takes 0.4 s) is imported when a session is made.
"""

from __future__ import annotations

import copy
import json
import secrets
import shlex
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from grader import poll
from grader.errors import LabError
from grader.kube.pods import (  # noqa: F401  (re-exported: checks and tests use them here)
    SERVER_METADATA,
    TOKEN_VOLUME_PREFIX,
    describe,
    is_ready,
    label_selector,
    strip_server_fields,
)
from grader.state.kube import selects

TERMINATION_LOG_BYTES = 3500  # a container's termination message holds at most 4096

# kubernetes.stream.stream, or a stand-in with the same signature (tests)
_stream = None


def _stream_fn():
    if _stream is not None:
        return _stream
    from grader.kube.client import kubernetes_module
    kubernetes_module()  # imports the client without kubernetes_validate (0.4 s, not 2 s)
    from kubernetes.stream import stream
    return stream


# ---- results ----------------------------------------------------------------------------


@dataclass
class ExecResult:
    """What a command run in a container returned."""

    rc: int
    stdout: str
    stderr: str

    def line(self) -> str:
        text = (self.stdout + self.stderr).strip().replace("\n", " ")
        return f"exit {self.rc}" + (f": {text[:200]}" if text else "")


@dataclass
class Healed:
    """A ReplicaSet pod deleted by the grader and the one that replaced it."""

    victim: str
    replacement: str
    seconds: float
    ready: int

    def line(self) -> str:
        return (f"deleted {self.victim}; {self.replacement} was Ready {self.seconds:.1f}s "
                f"later ({self.ready} ready)")


@dataclass
class Session:
    """The grader acting in one namespace: ``api`` is a ``kubernetes.client.ApiClient``,
    ``labels`` go on every object the session creates, ``left`` lists what it changed
    and could not restore."""

    api: object
    namespace: str
    labels: dict = field(default_factory=dict)
    left: list[str] = field(default_factory=list)
    interval: float = 0.5

    def _pods_path(self, name: str = "", sub: str = "") -> str:
        path = f"/api/v1/namespaces/{self.namespace}/pods"
        return path + (f"/{name}" if name else "") + (f"/{sub}" if sub else "")

    def _call(self, method: str, path: str, doing: str, *, query=None, body=None,
              missing_ok: bool = False, raw: bool = False):
        """One API request; the parsed answer (None for a 404 when ``missing_ok``).
        Anything else than success is the grader's trouble: a LabError naming it."""
        from grader.kube import client
        status, data = client.request(self.api, method, path, query=query, body=body)
        if status == 404 and missing_ok:
            return None
        if status >= 300:
            raise client.http_error(self.api, status, data, doing)
        if raw:
            return data.decode("utf-8", "replace")
        try:
            return json.loads(data or b"{}")
        except ValueError:
            raise LabError(f"the API server's answer to {doing} is not JSON: {data[:80]!r}") from None

    def note(self) -> str:
        """`` (the grader left: ...)`` for a message, or nothing."""
        return f" (the grader left: {'; '.join(self.left)})" if self.left else ""

    @contextmanager
    def reporting(self):
        """Add what the session could not restore to any failure or error raised in
        the block, so the check's message says exactly what was left."""
        try:
            yield self
        except AssertionError as err:
            if not self.left:
                raise
            raise AssertionError(f"{err}{self.note()}") from None
        except LabError as err:
            if not self.left:
                raise
            raise LabError(f"{err}{self.note()}", err.code) from None

    def _wait(self, probe, timeout: float, what: str):
        """poll.wait_for, except that a wait the API server spoiled is the grader's
        trouble: when the last try ended in a LabError, that LabError, not a timeout
        the caller would blame on the student."""
        trouble: dict = {}

        def tried():
            try:
                value = probe()
            except LabError as err:
                trouble["err"] = err
                raise
            trouble.pop("err", None)
            return value
        try:
            return poll.wait_for(tried, timeout=timeout, interval=self.interval, what=what)
        except poll.Timeout:
            if "err" in trouble:
                raise LabError(f"{trouble['err']} (waiting {timeout:g}s for {what})") from None
            raise

    # -- reading ----------------------------------------------------------------------

    def pod(self, name: str) -> dict | None:
        """Pod ``name`` as the server has it now, or None."""
        return self._call("GET", self._pods_path(name), f"read pod {name}", missing_ok=True)

    def pods(self, selector: dict) -> list[dict]:
        """Pods that ``selector`` selects, terminating ones included."""
        got = self._call("GET", self._pods_path(), f"list the pods of {self.namespace}",
                         query=[("labelSelector", label_selector(selector))])
        pods = [{"apiVersion": "v1", "kind": "Pod", **p} for p in got.get("items") or []]
        return [p for p in pods if selects(selector, (p.get("metadata") or {}).get("labels") or {})]

    # -- acting -----------------------------------------------------------------------

    def delete_pod(self, name: str, *, grace_seconds: int | None = None) -> bool:
        """Delete a pod; False when it was not there."""
        body = {"apiVersion": "v1", "kind": "DeleteOptions"}
        if grace_seconds is not None:
            body["gracePeriodSeconds"] = grace_seconds
        got = self._call("DELETE", self._pods_path(name), f"delete pod {name}", body=body,
                         missing_ok=True)
        return got is not None

    def create_pod(self, manifest: dict, *, labels: dict | None = None) -> dict:
        """Create a pod from a manifest dict, with the session's labels (or ``labels``)
        added to its own; the pod as created."""
        body = copy.deepcopy(manifest)
        body.setdefault("apiVersion", "v1")
        body.setdefault("kind", "Pod")
        meta = body.setdefault("metadata", {})
        meta["namespace"] = self.namespace
        meta["labels"] = {**(meta.get("labels") or {}), **(self.labels if labels is None else labels)}
        return self._call("POST", self._pods_path(), f"create pod {meta.get('name', '?')}",
                          body=body)

    def log(self, name: str) -> str:
        """The log of pod ``name``'s container ("" when the pod is gone)."""
        return self._call("GET", self._pods_path(name, "log"), f"read the log of pod {name}",
                          missing_ok=True, raw=True) or ""

    def wait_gone(self, name: str, uid: str | None, timeout: float) -> None:
        """Until no pod ``name`` with ``uid`` exists (deletion is graceful: the kubelet
        stops the containers first)."""
        def gone():
            p = self.pod(name)
            return p is None or (uid and (p.get("metadata") or {}).get("uid") != uid)
        try:
            self._wait(gone, timeout, f"pod {name} gone")
        except poll.Timeout:
            raise LabError(f"pod {name} was still terminating {timeout:g}s after the grader "
                           f"deleted it: {describe(self.pod(name))}") from None

    def wait_ready(self, name: str, timeout: float) -> dict:
        """Until pod ``name`` is Running and Ready; AssertionError with what was last
        seen otherwise (a pod that does not start is the student's to fix)."""
        seen: dict = {}

        def ready():
            seen["pod"] = self.pod(name)
            return seen["pod"] if seen["pod"] and is_ready(seen["pod"]) else None
        try:
            return self._wait(ready, timeout, f"pod {name} Ready")
        except poll.Timeout:
            raise AssertionError(f"pod {name} was not Ready within {timeout:g}s: "
                                 f"{describe(seen.get('pod'))}") from None

    # -- behaviours -------------------------------------------------------------------

    def heal(self, owner: dict, want: int, timeout: float) -> Healed:
        """Delete one Ready pod that ``owner`` (a ReplicaSet, as read) owns, then wait
        until ``want`` pods it owns are Ready again, one of them new. A controller puts
        the pod back; if none does within ``timeout``, AssertionError and ``left`` says
        what is missing (the grader does not recreate a controller's pod itself)."""
        selector = (owner.get("spec") or {}).get("selector") or {}
        uid = (owner.get("metadata") or {}).get("uid")
        rs_name = (owner.get("metadata") or {}).get("name", "?")

        def owned() -> list[dict]:
            return [p for p in self.pods(selector)
                    if any(r.get("uid") == uid for r in (p.get("metadata") or {}).get("ownerReferences") or [])]

        before = [p for p in owned() if is_ready(p) and not p["metadata"].get("deletionTimestamp")]
        assert before, f"{rs_name} owns no Ready pod the grader could delete"
        victim = min(before, key=lambda p: p["metadata"]["name"])
        victim_name = victim["metadata"]["name"]
        before_uids = {p["metadata"]["uid"] for p in before}
        start = time.monotonic()
        self.delete_pod(victim_name)
        seen: dict = {"pods": []}

        def healed():
            pods = [p for p in owned() if not p["metadata"].get("deletionTimestamp")]
            seen["pods"] = pods
            ready = [p for p in pods if is_ready(p)]
            new = [p for p in ready if p["metadata"]["uid"] not in before_uids]
            return (new[0], len(ready)) if new and len(ready) >= want else None
        try:
            new, count = self._wait(healed, timeout, f"a replacement for {victim_name}")
            return Healed(victim_name, new["metadata"]["name"], time.monotonic() - start, count)
        except poll.Timeout:
            pods = seen["pods"]
            self.left.append(f"{rs_name} has {sum(map(is_ready, pods))} Ready pod(s) of {want}: "
                             f"the grader deleted {victim_name} and nothing replaced it")
            raise AssertionError(
                f"no new Ready pod of {rs_name} {timeout:g}s after the grader deleted "
                f"{victim_name}; its pods now: "
                + (", ".join(describe(p) for p in pods) or "none")) from None
        except LabError:
            self.left.append(f"the grader deleted {victim_name} and could not see whether "
                             f"{rs_name} replaced it")
            raise

    @contextmanager
    def recreated(self, name: str, timeout: float):
        """Delete pod ``name`` and create it again from its live spec (server-set fields
        stripped, the session's labels added); yields the new pod once Ready. If the
        pod is missing when the block ends, it is created again from the original
        spec; what cannot be restored goes to ``left``."""
        live = self.pod(name)
        assert live, f"no pod {name} in namespace {self.namespace}"
        spec = strip_server_fields(live)
        uid = live["metadata"].get("uid")
        self.delete_pod(name)
        try:
            self.wait_gone(name, uid, timeout)
            self.create_pod(spec)
            yield self.wait_ready(name, timeout)
        finally:
            try:
                now = self.pod(name)
                if now is None:
                    self.create_pod(spec)
                elif (now.get("metadata") or {}).get("uid") == uid:
                    self.left.append(f"pod {name} was still terminating when the grader gave "
                                     "up: once it is gone, `kubectl apply -f` its manifest")
            except LabError as err:
                self.left.append(f"pod {name} is gone: the grader deleted it and could not "
                                 f"create it again ({err}); `kubectl apply -f` its manifest")

    def exec(self, pod: str, argv: list[str], *, container: str | None = None,
             timeout: float = 30) -> ExecResult:
        """Run ``argv`` in a container of ``pod`` (kubectl exec): its exit code and
        output. LabError when the exec stream fails or outlives ``timeout``."""
        from grader.kube.client import kubernetes_module
        kubernetes = kubernetes_module()
        from kubernetes.stream.ws_client import ERROR_CHANNEL
        stream = _stream_fn()
        core = kubernetes.client.CoreV1Api(self.api)
        try:
            resp = stream(core.connect_get_namespaced_pod_exec, pod, self.namespace,
                          command=list(argv), container=container, stderr=True, stdin=False,
                          stdout=True, tty=False, _preload_content=False)
        except Exception as err:  # noqa: BLE001  (ApiException, websocket errors)
            status = getattr(err, "status", None)
            if status == 404:
                raise AssertionError(f"no pod {pod} to run {argv[0]} in") from None
            raise LabError(f"the grader could not exec {shlex.join(argv)} in pod {pod}: "
                           f"{type(err).__name__}: {str(err)[:200]}") from None
        try:
            resp.run_forever(timeout=timeout)
            if resp.is_open():
                raise LabError(f"{shlex.join(argv)} in pod {pod} did not finish within {timeout:g}s")
            out, err_text = resp.read_stdout() or "", resp.read_stderr() or ""
            status_text = resp.read_channel(ERROR_CHANNEL) or ""
        finally:
            resp.close()
        return ExecResult(_exit_code(status_text, pod, argv), out, err_text)

    def run_toolbox(self, argv: list[str], *, image: str, timeout: float,
                    name_prefix: str = "grader-toolbox") -> ExecResult:
        """Run ``argv`` in a short-lived pod (``image``, restartPolicy Never, the
        session's labels) and return its exit code and output (from the container's
        termination message: no log request). The pod is deleted in a ``finally``;
        if that fails, ``left`` says which pod remains."""
        name = f"{name_prefix}-{secrets.token_hex(3)}"
        script = (f"{shlex.join(argv)} >/tmp/out 2>&1; rc=$?; cat /tmp/out; "
                  f"head -c {TERMINATION_LOG_BYTES} /tmp/out >/dev/termination-log; exit $rc")
        manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                    "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 0,
                             "automountServiceAccountToken": False,
                             "containers": [{"name": "toolbox", "image": image,
                                             "imagePullPolicy": "IfNotPresent",
                                             "command": ["sh", "-c", script],
                                             "terminationMessagePolicy": "FallbackToLogsOnError"}]}}
        self.create_pod(manifest)
        try:
            seen: dict = {}

            def done():
                seen["pod"] = p = self.pod(name)
                return p if p and (p.get("status") or {}).get("phase") in ("Succeeded", "Failed") else None
            try:
                pod = self._wait(done, timeout, f"the grader's pod {name} finished")
            except poll.Timeout:
                raise LabError(f"the grader's toolbox pod ({image}) did not finish within "
                               f"{timeout:g}s: {describe(seen.get('pod'))}") from None
            term = {}
            for cs in (pod.get("status") or {}).get("containerStatuses") or []:
                term = (cs.get("state") or {}).get("terminated") or {}
            # the script copies its output there; with FallbackToLogsOnError the kubelet
            # puts the log's tail there when the container failed without writing it
            output = term.get("message") or ""
            phase = pod["status"]["phase"]
            rc = term.get("exitCode", 0 if phase == "Succeeded" else 1)
            return ExecResult(int(rc), output, "")
        finally:
            try:
                self.delete_pod(name, grace_seconds=0)
            except LabError as err:
                self.left.append(f"the grader's pod {name} in {self.namespace} ({err}): "
                                 f"kubectl delete pod {name} -n {self.namespace}")


def get_in_cluster(session: Session, url: str, *, image: str, timeout: float,
                   details: dict) -> ExecResult:
    """GET ``url`` from a toolbox pod of ``session`` (wget: one try, 10 s), as the
    Service's clients in the namespace see it. ``details`` gets the url, the start of
    the answer, the exit code and whatever the grader could not delete (``left``)."""
    try:
        with session.reporting():
            got = session.run_toolbox(["wget", "-qO-", "-T", "10", "-t", "1", url],
                                      image=image, timeout=timeout)
    finally:
        details["left"] = session.left
    details.update(url=url, answer=got.stdout.strip()[:120], exit=got.rc)
    return got


def _exit_code(status_text: str, pod: str, argv: list[str]) -> int:
    """The exit code from an exec's status channel (a metav1.Status as JSON)."""
    if not status_text.strip():
        raise LabError(f"the exec of {shlex.join(argv)} in pod {pod} ended without a status")
    try:
        status = json.loads(status_text)
    except ValueError:
        raise LabError(f"the exec of {shlex.join(argv)} in pod {pod} ended with "
                       f"{status_text[:120]!r}") from None
    if status.get("status") == "Success":
        return 0
    for cause in (status.get("details") or {}).get("causes") or []:
        if cause.get("reason") == "ExitCode":
            return int(cause.get("message", 1))
    # not an exit code: the container is missing, the command is not found...
    raise AssertionError(f"{shlex.join(argv)} could not run in pod {pod}: "
                         f"{status.get('message') or status.get('reason') or status_text[:120]}")
