"""The ch10 answer key. Notebooks grade against it through ``grader.answers.grade``;
``lab check`` reads the student's answer cell and compares the same way."""

from functools import partial

from grader.answers import CommandAnswer, ValueAnswer
from grader.kubectl import KubectlAnswer as _KubectlAnswer

# a kubectl answer of the Kubernetes steps: `-n ch10` may be given or not
KubectlAnswer = partial(_KubectlAnswer, namespace="ch10")


def _grace_period(value: str) -> bool:
    """``--time``/``-t`` of a graceful stop: any number of seconds but 0 (-1: no limit)."""
    return value.lstrip("-").isdigit() and int(value) != 0


def _term(value: str) -> bool:
    """``--signal`` of a graceful stop: SIGTERM, however spelled (TERM, 15)."""
    return value == "TERM"  # grader.commands has turned SIGTERM and 15 into TERM


EXPECTED = {
    "ch10.lifecycle.answers": {
        "STOP_COMMAND": CommandAnswer(
            "docker stop redis-7.0", allow_extra=frozenset({"--time", "--signal"}),
            extra_ok=(("--time", _grace_period), ("--signal", _term)),
            hint="the command that asks the main process to exit (SIGTERM) and kills it "
                 "only after a grace period, for the container redis-7.0"),
        "KILL_COMMAND": CommandAnswer(
            "docker kill redis-7.0", alternatives=("docker kill --signal KILL redis-7.0",),
            hint="the command that sends SIGKILL to redis-7.0 at once, with no grace period"),
        "REMOVE_COMMAND": CommandAnswer(
            "docker rm redis-7.0",
            hint="the command that deletes the stopped container redis-7.0 (not its image)"),
        "ATTACH_COMMAND": CommandAnswer(
            "docker attach redis-7.0", allow_extra=frozenset({"--sig-proxy", "--no-stdin",
                                                              "--detach-keys"}),
            hint="the command that connects your terminal to the main process of redis-7.0"),
        "EXIT_CODE_AFTER_KILL": ValueAnswer(
            137, hint="the exit code `docker ps -a` shows for a process ended by SIGKILL "
                      "(128 + the signal's number)"),
        "STATUS_AFTER_STOP": ValueAnswer(
            "exited", hint="the word `docker inspect -f '{{.State.Status}}'` prints for a "
                           "stopped container"),
    },
    "ch10.pod.answers": {
        "REDIS_ADDR_IN_POD": ValueAnswer(
            "localhost:6379", alternatives=("127.0.0.1:6379",),
            hint="the containers of one pod share its network namespace: what host and port "
                 "does the user container dial to reach Redis in the same pod?"),
        "CONTAINERS_START": ValueAnswer(
            "together", alternatives=("concurrently", "at the same time", "in parallel"),
            hint="does the kubelet start a pod's (app) containers one after the other, or "
                 "together? (one word)"),
        "WAITS_FOR_STORES": ValueAnswer(
            "readinessProbe", alternatives=("readiness", "readiness probe"),
            hint="the probe whose failure keeps the pod out of a Service's endpoints, without "
                 "restarting anything, while the stores are not there yet"),
    },
    "ch10.rollout.answers": {
        "DEFAULT_STRATEGY": ValueAnswer(
            "RollingUpdate", hint="the `spec.strategy.type` a Deployment gets when you write "
                                  "none: `kubectl get deployment user-service -o yaml`"),
        "SCALE_MAKES_REVISION": ValueAnswer(
            False, hint="`kubectl scale` changes spec.replicas, not the pod template: compare "
                        "`kubectl rollout history` before and after (True or False)"),
        "REMOVE_ALL_COMMAND": KubectlAnswer(
            "kubectl delete deployment user-service",
            hint="deleting a pod brings a new one; which object do you delete so that the "
                 "pods go for good?"),
    },
    "ch10.kubectl.answers": {
        "LIST_PODS_COMMAND": KubectlAnswer(
            "kubectl get pods -n k8sdemo",
            hint="list the pods of the namespace k8sdemo (the namespace flag, not the "
                 "context's default)"),
        "LOGS_COMMAND": KubectlAnswer(
            "kubectl logs deployment/backend -n k8sdemo",
            alternatives=("kubectl logs -l app=backend -n k8sdemo",),
            allow_extra=frozenset({"--tail", "--follow", "--timestamps"}),
            hint="the logs of the backend's pod, named through its Deployment (or its label) "
                 "so you need not copy the pod's generated name"),
        "SHELL_COMMAND": KubectlAnswer(
            "kubectl exec -it deployment/user-service -c redis -- sh",
            alternatives=("kubectl exec -ti deployment/user-service -c redis -- sh",
                          "kubectl exec -i -t deployment/user-service -c redis -- sh"),
            hint="an interactive shell (sh) in the redis container of a user-service pod, "
                 "named through the Deployment; the container with -c, the command after `--`"),
        "CREATE_NAMESPACE_COMMAND": KubectlAnswer(
            "kubectl create namespace k8sdemo",
            hint="the imperative command that makes the namespace k8sdemo"),
        "TOP_NEEDS": ValueAnswer(
            "metrics-server", alternatives=("metrics server",),
            hint="`kubectl top pod` fails on a fresh kind cluster: which add-on serves the "
                 "metrics API it reads?"),
    },
    "ch10.labels.answers": {
        "NOT_FRONTEND_COUNT": ValueAnswer(
            2, hint="run `kubectl get pods -l 'lesson=labels,tier!=frontend'` and count"),
        "NOT_FRONTEND_SELECTS_UNLABELLED": ValueAnswer(
            True, hint="does `tier!=frontend` also select a pod with no tier label at all? Try "
                       "`kubectl get pods -l 'tier!=frontend'` in the namespace (True or False)"),
        "IN_COUNT": ValueAnswer(
            3, hint="run `kubectl get pods -l 'lesson=labels,release in (stable,canary)'` and "
                    "count"),
        "NOTIN_COUNT": ValueAnswer(
            2, hint="run `kubectl get pods -l 'lesson=labels,release notin (canary)'` and count"),
        "SET_BASED_KIND": ValueAnswer(
            "ReplicaSet", hint="of ReplicationController and ReplicaSet, which one's selector "
                               "takes matchExpressions (In, NotIn, Exists)?"),
    },
    "ch10.architecture.answers": {
        "STORES_CLUSTER_STATE": ValueAnswer(
            "etcd", hint="the control-plane component that keeps every object: only the API "
                         "server talks to it"),
        "PICKS_A_NODE": ValueAnswer(
            "kube-scheduler", alternatives=("scheduler",),
            hint="the control-plane component that chooses the node for a new pod"),
        "RUNS_CONTROL_LOOPS": ValueAnswer(
            "kube-controller-manager", alternatives=("controller-manager", "controller manager"),
            hint="the control-plane component in which the Deployment and ReplicaSet "
                 "controllers run"),
        "STARTS_CONTAINERS": ValueAnswer(
            "kubelet", hint="the agent on every node that starts a pod's containers through the "
                            "container runtime and reports their state"),
        "SERVICE_ROUTING": ValueAnswer(
            "kube-proxy", hint="the component on every node that turns a Service's address "
                               "into rules that reach its pods"),
        "NODES_ARE_NAMESPACED": ValueAnswer(
            False, hint="`kubectl api-resources --namespaced=false` lists the kinds that live "
                        "outside every namespace (True or False)"),
    },
}
