"""ch10.pod: the user service and its two stores as one Pod user-service. The containers
of a pod start together and share its network, so the service reaches its stores on
localhost, and a readiness probe (not the source's sleep in main) says when it can
serve."""

from checks.ch10 import names as n
from checks.ch10.userpod import pod_problem
from grader.checkkit import (
    answers,
    check,
    describe_pod,
    kube_object,
    kube_require,
    manifest_object,
    pod_ready,
)

CHECK_ANSWERS = "ch10.pod.answers"


@check("ch10.pod.file", f"{n.POD_FILE}: Pod user-service with user, mysql and redis, the "
       "stores on localhost, a readiness probe instead of a sleep", points=2, layer="static",
       hint=f"Write {n.POD_FILE}: kind Pod, name user-service, containers user (user:v2, port "
            "8080, REDIS_ADDR=localhost:6379, MYSQL_ADDR=localhost:3306, readinessProbe "
            "httpGet /ready on 8080), mysql (mysql-for-user:v1) and redis (clabs/redis:7.0), "
            "each with imagePullPolicy IfNotPresent; no sleep anywhere.")
def test_pod_file(lab):
    pod = manifest_object(lab, n.POD_FILE, "Pod", n.USER_SERVICE)
    problem = pod_problem(pod, n.POD_FILE)
    assert problem is None, problem


@check(CHECK_ANSWERS, "Pod questions answered correctly", points=1, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} after the Pod section.")
def test_pod_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


@check("ch10.pod.running", "Pod user-service runs user, mysql and redis, all three ready",
       points=3, layer="live",
       hint=f"kubectl apply -f {n.POD_FILE}; `kubectl get pod user-service` should say 3/3 "
            "Running. ErrImageNeverPull/ErrImagePull: load your images into the cluster (`kind "
            "load docker-image user:v2 mysql-for-user:v1 --name container-labs`); 2/3: "
            "`kubectl describe pod user-service` names the container that is not ready.")
def test_pod_running(kube, details):
    kube_require(kube, "Pod")
    pod = kube_object(kube, "Pod", n.USER_SERVICE)
    statuses = {s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses") or []}
    details.update(pod=describe_pod(pod),
                   containers={k: bool(s.get("ready")) for k, s in statuses.items()})
    missing = [c for c in n.POD_CONTAINERS if c not in statuses]
    assert not missing, f"Pod user-service runs no container {', '.join(missing)}: {describe_pod(pod)}"
    unready = [c for c in n.POD_CONTAINERS if not statuses[c].get("ready")]
    assert not unready, f"container(s) {', '.join(unready)} of Pod user-service not ready: " \
        f"{describe_pod(pod)}"
    assert pod_ready(pod), f"Pod user-service is not Ready: {describe_pod(pod)}"
    problem = pod_problem(pod, "Pod user-service in the cluster")
    assert problem is None, problem
