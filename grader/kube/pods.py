"""Pods and other objects as plain data, for behaviour checks and their reports: is a
pod ready, one line that describes it, a copy of a live object that can be created
again, a label selector for a LIST."""

from __future__ import annotations

import copy

# fields the API server sets; a copy of a live object without them can be created again
SERVER_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation",
                   "managedFields", "selfLink", "deletionTimestamp",
                   "deletionGracePeriodSeconds", "ownerReferences")
# the service-account token volume the API server injects (kube-api-access-xxxxx)
TOKEN_VOLUME_PREFIX = "kube-api-access-"


def is_ready(pod: dict) -> bool:
    """Phase Running and the Ready condition True (the pod serves its endpoints)."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def describe(pod: dict | None) -> str:
    """``web-pod Running, ready`` or ``nginx Pending (ImagePullBackOff: ...)``."""
    if not pod:
        return "no pod"
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    phase = status.get("phase") or "Unknown"
    words = [meta.get("name", "?"), phase]
    if meta.get("deletionTimestamp"):
        words.append("(terminating)")
    why = []
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        state = cs.get("state") or {}
        for key in ("waiting", "terminated"):
            if state.get(key) and state[key].get("reason") not in (None, "Completed"):
                msg = (state[key].get("message") or "").strip().splitlines()
                why.append(state[key]["reason"] + (f": {msg[0][:100]}" if msg else ""))
    for c in status.get("conditions") or []:
        if c.get("type") == "PodScheduled" and c.get("status") == "False":
            why.append(f"{c.get('reason', 'Unschedulable')}: {(c.get('message') or '')[:120]}")
    if phase == "Running":
        words.append("ready" if is_ready(pod) else "not ready")
    text = " ".join(words)
    return text + (f" ({'; '.join(why)})" if why else "")


def strip_server_fields(obj: dict) -> dict:
    """A copy of a live object that can be created again: no status, no server-set
    metadata, no node binding, no injected service-account token volume."""
    out = copy.deepcopy(obj)
    out.pop("status", None)
    meta = out.setdefault("metadata", {})
    for key in SERVER_METADATA:
        meta.pop(key, None)
    spec = out.get("spec") or {}
    if out.get("kind") == "Pod":
        spec.pop("nodeName", None)
        vols = spec.get("volumes") or []
        injected = {v.get("name") for v in vols if str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX)}
        if injected:
            spec["volumes"] = [v for v in vols if v.get("name") not in injected]
            for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
                c["volumeMounts"] = [m for m in c.get("volumeMounts") or []
                                     if m.get("name") not in injected]
                if not c["volumeMounts"]:
                    c.pop("volumeMounts")
            if not spec["volumes"]:
                spec.pop("volumes")
    return out


def label_selector(selector: dict) -> str:
    """``app=web`` from a Service selector or a LabelSelector's matchLabels (the
    server narrows the list; :func:`selects` decides)."""
    labels = selector.get("matchLabels", selector) if isinstance(selector, dict) else {}
    return ",".join(f"{k}={v}" for k, v in labels.items() if isinstance(v, str))
