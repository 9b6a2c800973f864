"""Looking inside a running program whose image has no shell (``FROM scratch``, as
clabs/pets-web), without touching the student's pod: the grader runs a copy of the pod
with a toolbox container beside the program, in one process namespace, and reads the
program's files and environment under /proc. Every function takes a
:class:`grader.kube.actions.Session`.
"""

from __future__ import annotations

import secrets

from grader import poll
from grader.errors import LabError
from grader.kube.actions import ExecResult
from grader.kube.pods import describe, strip_server_fields

# why the grader's own container does not start: its trouble, not the student's
_CANNOT_START = {"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName",
                 "CreateContainerConfigError", "CreateContainerError", "RunContainerError"}


def run_in_copy(session, pod: dict, target: str, script: str, *, image: str,
                timeout: float, prefix: str = "grader-copy") -> ExecResult:
    """Run ``script`` (sh) next to container ``target`` in a copy of ``pod``: the same
    spec (volumes, env, image, the Secrets it names), the grader's labels only (no
    controller adopts it), ``restartPolicy: Never``, one process namespace, and a
    container ``peek`` of ``image`` with SYS_PTRACE, which sees the program of
    ``target`` under /proc (its files at /proc/PID/root, its environment). The
    script's output comes back through the termination message; the copy is deleted
    on the way out (``left`` if it cannot be)."""
    name = f"{prefix}-{secrets.token_hex(3)}"
    spec = strip_server_fields(pod)
    spec["metadata"] = {"name": name}
    body = spec["spec"]
    body.update(restartPolicy="Never", shareProcessNamespace=True,
                terminationGracePeriodSeconds=0)
    for key in ("ephemeralContainers", "hostname", "subdomain"):
        body.pop(key, None)
    wrapped = (f"( {script} ) >/tmp/out 2>&1; rc=$?; cat /tmp/out; "
               "head -c 3500 /tmp/out >/dev/termination-log; exit $rc")
    body["containers"] = body.get("containers", []) + [{
        "name": "peek", "image": image, "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", wrapped], "terminationMessagePolicy": "FallbackToLogsOnError",
        "securityContext": {"runAsUser": 0, "capabilities": {"add": ["SYS_PTRACE"]}}}]
    session.create_pod(spec)
    try:
        seen: dict = {}

        def finished():
            seen["pod"] = p = session.pod(name)
            for cs in ((p or {}).get("status") or {}).get("containerStatuses") or []:
                state = cs.get("state") or {}
                if cs.get("name") == "peek" and state.get("terminated"):
                    return state["terminated"]
                why = (state.get("waiting") or {}).get("reason")
                if cs.get("name") == "peek" and why in _CANNOT_START:
                    return {"grader": f"{why}: {state['waiting'].get('message', '')[:160]}"}
            return None
        try:
            term = session._wait(finished, timeout, f"the grader's copy {name} finished")
        except poll.Timeout:
            raise AssertionError(f"the grader's copy of pod {pod['metadata']['name']} did not "
                                 f"run within {timeout:g}s: {describe(seen.get('pod'))}") from None
        if "grader" in term:
            raise LabError(f"the grader's container ({image}) in its copy of pod "
                           f"{pod['metadata']['name']} cannot start: {term['grader']}")
        return ExecResult(int(term.get("exitCode", 1)), term.get("message") or "", "")
    finally:
        try:
            session.delete_pod(name, grace_seconds=0)
        except LabError as err:
            session.left.append(f"the grader's pod {name} ({err}): "
                                f"kubectl delete pod {name} -n {session.namespace}")


def program_script(program: str, body: str, *, wait: int = 30) -> str:
    """A script for :func:`run_in_copy` that finds the process of ``program`` (its
    command name, waiting up to ``wait`` seconds for it to start), sets ``$pid`` and
    ``$root`` (its file system, /proc/PID/root), then runs ``body``; exit 3 and
    ``no-process`` when there is none."""
    return (f'pid=""; i=0; while [ -z "$pid" ] && [ "$i" -lt {wait * 2} ]; do '
            f'for d in /proc/[0-9]*; do [ "$(cat "$d/comm" 2>/dev/null)" = "{program}" ] '
            '&& pid=${d#/proc/} && break; done; '
            '[ -n "$pid" ] || sleep 0.5; i=$((i+1)); done; '
            '[ -n "$pid" ] || { echo no-process; exit 3; }; root=/proc/$pid/root; ' + body)


def look_at_program(session, pod: dict, target: str, program: str, body: str, *, image: str,
                    timeout: float, details: dict) -> ExecResult:
    """:func:`run_in_copy` of :func:`program_script` for a check: what the copy left and
    which pod was copied go into ``details``; AssertionError (the check's failure) when
    the program did not start in the copy or the look failed, with what was left."""
    try:
        with session.reporting():
            got = run_in_copy(session, pod, target, program_script(program, body),
                              image=image, timeout=timeout)
    finally:
        details["left"] = session.left
    details["copied"] = pod["metadata"]["name"]
    if "no-process" in got.stdout:
        raise AssertionError(f"in the grader's copy of pod {pod['metadata']['name']}, {program} "
                             "did not start" + session.note())
    if got.rc != 0:
        raise AssertionError(f"the grader's look inside the copy failed: {got.line()}"
                             + session.note())
    return got
