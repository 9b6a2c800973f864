"""The ch15 answer key. Notebooks grade against it through ``grader.answers.grade``;
``lab check`` reads the student's answer cell and compares the same way."""

from itertools import product

from grader.answers import CommandAnswer, ValueAnswer

# ch15.first-pod: the throwaway pod that calls nginx-service from inside the cluster.
# What must be there: kubectl run, the pod name `curl`, --rm -i --restart=Never, the
# toolbox image, and a URL that names the service and its port 8080 (erratum 4: the
# source leaves the port out). Everything else may vary within reason.
_CALL_FLAGS = "--rm -i --restart=Never --image=clabs/toolbox:1.0"
_SERVICE_HOSTS = ("nginx-service", "nginx-service.ch15", "nginx-service.ch15.svc",
                  "nginx-service.ch15.svc.cluster.local")
_FETCHERS = ("wget -qO-", "wget -qO -", "wget -q -O-", "wget -q -O -", "wget -O-",
             "wget -O -", "curl", "curl -s", "curl -sS", "curl -fsS")
_PULL_POLICIES = ("", " --image-pull-policy=IfNotPresent")
# a %%bash cell needs `< /dev/null` after `kubectl run -i` unless it is the last line
_STDIN = ("", " < /dev/null", " </dev/null")
# flags that change nothing about what is called
_CALL_EXTRAS = frozenset({"--tty", "--namespace", "-n", "--labels", "--label",
                          "--pod-running-timeout"})


def _service_calls() -> tuple[str, ...]:
    """Every accepted spelling of the call: each host form, with or without http:// and
    a trailing slash, with wget or curl, with or without the explicit pull policy."""
    urls = [f"{scheme}{host}:8080{slash}" for scheme, host, slash
            in product(("http://", ""), _SERVICE_HOSTS, ("", "/"))]
    return tuple(f"kubectl run curl {_CALL_FLAGS}{pull} -- {fetch} {url}{stdin}"
                 for pull, fetch, url, stdin in product(_PULL_POLICIES, _FETCHERS, urls, _STDIN))


_CALLS = _service_calls()

EXPECTED = {
    "ch15.architecture.answers": {
        "STATE_STORE": ValueAnswer(
            "etcd", hint="the distributed key-value store of the control plane; its pod "
                         "in kube-system is named after it"),
        "ENTRY_POINT": ValueAnswer(
            "kube-apiserver", hint="the component with the REST API; write its name as "
                                   "its pod in kube-system begins"),
        "PLACES_PODS": ValueAnswer(
            "kube-scheduler", hint="the component that assigns new pods to nodes; write "
                                   "its name as its pod in kube-system begins"),
        "RUNS_CONTROL_LOOPS": ValueAnswer(
            "kube-controller-manager", hint="the component that runs the controllers; "
                                            "write its name as its pod in kube-system begins"),
        "NODE_AGENT": ValueAnswer(
            "kubelet", hint="the node agent, a program on every node and not a pod "
                            "(its program name, one word)"),
        "NODES_TO_SURVIVE_ONE_FAILURE": ValueAnswer(
            3, hint="Raft needs a majority of all members to keep working: find the "
                    "smallest number whose majority is still there after one failure"),
        "NODES_TO_SURVIVE_TWO_FAILURES": ValueAnswer(
            5, hint="the same reasoning as for one failure, with two members gone at once "
                    "(see the table in step 1)"),
        "NAT_BETWEEN_PODS": ValueAnswer(
            False, hint="re-read the three rules of the flat pod network (True or False)"),
        "NETWORK_PLUGIN_INTERFACE": ValueAnswer(
            "CNI", hint="the interface that network plugins such as kindnet, Calico and Cilium "
                        "implement, abbreviated as in the text (three letters)"),
    },
    "ch15.first-pod.answers": {
        "SERVICE_CALL": CommandAnswer(
            _CALLS[0], alternatives=_CALLS[1:], allow_extra=_CALL_EXTRAS,
            hint="kubectl run a pod named curl from clabs/toolbox:1.0 that runs once, is "
                 "removed afterwards and shows its output (--rm -i --restart=Never), and "
                 "fetches the service by its name at the port the *service* listens on"),
    },
    "ch15.lifecycle.answers": {
        "FIRST_PHASE": ValueAnswer(
            "Pending", hint="the phase before all containers run (see the table of phases)"),
        "POD_PHASE_AFTER_EXIT_0": ValueAnswer(
            "Succeeded", hint="look at the phase of phase-ok"),
        "POD_PHASE_AFTER_EXIT_1": ValueAnswer(
            "Failed", hint="look at the phase of phase-fail"),
        "START_FAILURE_LEAVES": ValueAnswer(
            "Pending", hint="the first of the source's three failure paths: in which phase "
                            "is a pod whose containers are still starting?"),
        "DEFAULT_RESTART_POLICY": ValueAnswer(
            "Always", hint="look at the RESTART_POLICY column for phase-crash, which set "
                           "none"),
        "PHASE_WHILE_CRASH_LOOPING": ValueAnswer(
            "Running", hint="look at the PHASE column for phase-crash, not at the STATUS "
                            "column of kubectl get pods"),
    },
    "ch15.deployment-service.answers": {
        "DEPLOYMENT_MANAGES": ValueAnswer(
            "ReplicaSet", hint="the kind of object of notebook 03 that a Deployment wraps"),
        "REPLICASETS_DURING_UPDATE": ValueAnswer(
            2, hint="one for the old pod template and one for the new (a number)"),
        "DEFAULT_SERVICE_TYPE": ValueAnswer(
            "ClusterIP", hint="the type reachable only from inside the cluster"),
        "PORT_ON_EVERY_NODE": ValueAnswer(
            "NodePort", hint="see the table of service types, written as in spec.type"),
        "PENDING_ON_KIND": ValueAnswer(
            "LoadBalancer", hint="the type of nginx-service in notebook 02"),
        "DNS_ALIAS_TYPE": ValueAnswer(
            "ExternalName", hint="the type with no selector and no IP, only a CNAME record"),
        "NODE_PORT_MAX": ValueAnswer(
            32767, hint="the upper end of the node port range (a number)"),
        "SELECTOR_MATCHES": ValueAnswer(
            "labels", hint="the key under metadata that sample-pod.yaml was missing"),
    },
    "ch15.compare.answers": {
        "K8S_FOR_SWARM": ValueAnswer(
            "cluster", hint="one word, in lower case: a set of machines under one "
                            "orchestrator"),
        "K8S_ROLE_FOR_MANAGER": ValueAnswer(
            "control-plane", hint="the ROLES column of kubectl get nodes (notebook 01)"),
        "SWARM_FOR_POD": ValueAnswer(
            "task", hint="the unit in which Swarm runs a service's replicas (one word)"),
        "CONTAINERS_PER_TASK": ValueAnswer(
            1, hint="compare a task with a pod (a number)"),
        "CONTAINER_WITHOUT_POD": ValueAnswer(
            False, hint="what is the smallest unit Kubernetes runs? (True or False)"),
        "K8S_FOR_SWARM_SERVICE": ValueAnswer(
            "Deployment", hint="of the two kinds that share a Swarm service's jobs, the one "
                               "that also rolls out new versions"),
        "K8S_FOR_ROUTING_MESH": ValueAnswer(
            "Service", hint="the kind with a virtual IP and a label selector"),
        "K8S_FOR_SWARM_NETWORK": ValueAnswer(
            "NetworkPolicy", hint="the kind that restricts traffic in the flat pod network, "
                                  "in CamelCase"),
        "K8S_HAS_STACK_OBJECT": ValueAnswer(
            False, hint="how do you deploy several manifests together in Kubernetes? "
                        "(True or False)"),
    },
}
