"""ch15.volume: a PersistentVolumeClaim mounted into web-pod at /data, and a file written
there that outlives the pod (the grader deletes and recreates the pod to prove it)."""

from checks.ch15 import names as n
from grader.checkkit import (
    check,
    describe_pod,
    kube_actions,
    kube_object,
    manifest_object,
    manifests,
    params_number,
    pod_container,
    pod_ready,
)


def _claim_volume(pod: dict) -> dict | None:
    """The pod's volume that comes from the lab's claim."""
    return next((v for v in (pod.get("spec") or {}).get("volumes") or []
                 if (v.get("persistentVolumeClaim") or {}).get("claimName") == n.CLAIM), None)


def _mount_problem(pod: dict, where: str) -> str | None:
    """What is wrong with the pod's volume and mount, or None."""
    vol = _claim_volume(pod)
    vols = ", ".join(f"{v.get('name')}" for v in (pod.get("spec") or {}).get("volumes") or [])
    if vol is None:
        return f"{where}: no volume from claim {n.CLAIM} (volumes: {vols or 'none'})"
    c = pod_container(pod, n.WEB_CONTAINER)
    if c is None:
        return f"{where}: no container {n.WEB_CONTAINER}"
    mounts = {m.get("mountPath"): m.get("name") for m in c.get("volumeMounts") or []}
    if mounts.get(n.MOUNT_PATH) != vol.get("name"):
        shown = ", ".join(f"{name} at {path}" for path, name in mounts.items()) or "none"
        return (f"{where}: container {n.WEB_CONTAINER} does not mount volume "
                f"{vol.get('name')} at {n.MOUNT_PATH} (mounts: {shown})")
    return None


@check("ch15.volume.file", "volume-claim.yaml (2Gi, ReadWriteOnce) and pod-with-vol.yaml "
       "(claim mounted at /data)", points=2, layer="static",
       hint="volume-claim.yaml: PersistentVolumeClaim my-data-claim, accessModes "
            "[ReadWriteOnce], resources.requests.storage 2Gi. pod-with-vol.yaml: Pod web-pod "
            "with volumes: [{name: my-data, persistentVolumeClaim: {claimName: "
            "my-data-claim}}] and, in container web, volumeMounts: [{name: my-data, "
            "mountPath: /data}].")
def test_volume_files(lab):
    pvc = manifest_object(lab, n.CLAIM_FILE, "PersistentVolumeClaim", n.CLAIM)
    spec = pvc.get("spec") or {}
    modes = spec.get("accessModes") or []
    assert n.CLAIM_ACCESS_MODE in modes, \
        f"claim {n.CLAIM} asks for access modes {modes or 'none'}, not {n.CLAIM_ACCESS_MODE}"
    size = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    assert manifests.quantity(size) == manifests.quantity(n.CLAIM_SIZE), \
        f"claim {n.CLAIM} requests storage {size!r}, not {n.CLAIM_SIZE} (Gi: 2^30 bytes; " \
        "G is 10^9)"
    pod = manifest_object(lab, n.VOLUME_POD_FILE, "Pod", n.WEB_POD)
    problem = _mount_problem(pod, n.VOLUME_POD_FILE)
    assert problem is None, problem


@check("ch15.volume.bound", "Claim my-data-claim is Bound to a volume of at least 2Gi",
       points=2, layer="live",
       hint="kubectl apply -f volume-claim.yaml; `kubectl get pvc my-data-claim`. kind's "
            "storage class `standard` binds a claim when the first pod that uses it is "
            "scheduled (WaitForFirstConsumer): Pending until web-pod from pod-with-vol.yaml "
            "runs. `kubectl describe pvc my-data-claim` shows why it waits.")
def test_claim_bound(kube, details):
    pvc = kube_object(kube, "PersistentVolumeClaim", n.CLAIM)
    status = pvc.get("status") or {}
    phase = status.get("phase") or "Pending"
    details.update(phase=phase, volume=(pvc.get("spec") or {}).get("volumeName"),
                   storage_class=(pvc.get("spec") or {}).get("storageClassName"))
    assert phase == "Bound", f"claim {n.CLAIM} is {phase}, not Bound" + \
        (f" (storage class {details['storage_class']})" if details["storage_class"] else "")
    capacity = (status.get("capacity") or {}).get("storage")
    assert (manifests.quantity(capacity) or 0) >= manifests.quantity(n.CLAIM_SIZE), \
        f"claim {n.CLAIM} is bound to {capacity or 'no capacity'}, less than {n.CLAIM_SIZE}"
    modes = status.get("accessModes") or (pvc.get("spec") or {}).get("accessModes") or []
    assert n.CLAIM_ACCESS_MODE in modes, f"claim {n.CLAIM} is bound {modes}, not {n.CLAIM_ACCESS_MODE}"


@check("ch15.volume.mounted", "web-pod mounts the claim at /data and is Ready", points=2,
       layer="live",
       hint="Replace the first web-pod: `kubectl delete pod web-pod`, then `kubectl apply -f "
            "pod-with-vol.yaml` (a running pod's volumes cannot change). `kubectl describe "
            "pod web-pod` lists its volumes and mounts.")
def test_pod_mounts_claim(kube):
    pod = kube_object(kube, "Pod", n.WEB_POD)
    problem = _mount_problem(pod, f"pod {n.WEB_POD}")
    assert problem is None, problem
    assert pod_ready(pod), f"pod {describe_pod(pod)}"


def _read_sample(session) -> kube_actions.ExecResult:
    return session.exec(n.WEB_POD, ["cat", n.SAMPLE_FILE], container=n.WEB_CONTAINER)


@check("ch15.volume.data", "/data/sample.txt in web-pod says Hello world!", points=1,
       layer="live",
       hint="kubectl exec web-pod -- sh -c 'echo \"Hello world!\" > /data/sample.txt', then "
            "`kubectl exec web-pod -- cat /data/sample.txt`.")
def test_sample_file(kube, kube_api, lab):
    pod = kube_object(kube, "Pod", n.WEB_POD)
    assert pod_ready(pod), f"pod {describe_pod(pod)}"
    got = _read_sample(kube_actions.Session(kube_api, lab.namespace))
    assert got.rc == 0, f"cat {n.SAMPLE_FILE} in {n.WEB_POD}: {got.line()}"
    assert got.stdout.strip() == n.SAMPLE_TEXT, \
        f"{n.SAMPLE_FILE} holds {got.stdout.strip()[:80]!r}, not {n.SAMPLE_TEXT!r}"


@check("ch15.volume.survives", "/data/sample.txt survives when the grader deletes and "
       "recreates web-pod", points=3, layer="behaviour",
       hint="The grader deletes web-pod, creates it again from its own spec and reads "
            "/data/sample.txt. A file in the claim's volume survives; one written anywhere "
            "else (or in an emptyDir) is gone. Write the file under /data.")
def test_file_survives_recreation(kube, kube_api, lab, grader_labels, details):
    pod = kube_object(kube, "Pod", n.WEB_POD)
    problem = _mount_problem(pod, f"pod {n.WEB_POD}")
    assert problem is None, problem
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    before = _read_sample(session)
    assert before.rc == 0 and before.stdout.strip() == n.SAMPLE_TEXT, \
        f"before the grader changed anything, {n.SAMPLE_FILE} gave {before.line()}: write it first"
    timeout = params_number(lab, "recreate_timeout", n.RECREATE_TIMEOUT)
    try:
        with session.reporting(), session.recreated(n.WEB_POD, timeout) as new_pod:
            details["recreated"] = (f"{n.WEB_POD} uid {pod['metadata'].get('uid')} → "
                                    f"{new_pod['metadata'].get('uid')}, labels "
                                    + ", ".join(f"{k}={v}" for k, v in grader_labels.items())
                                    + " added")
            after = _read_sample(session)
    finally:
        details["left"] = session.left
    assert after.rc == 0 and after.stdout.strip() == n.SAMPLE_TEXT, \
        f"after the grader recreated {n.WEB_POD}, {n.SAMPLE_FILE} gave {after.line()}" + session.note()
