"""The ch16 answer key. Notebooks grade against it through ``grader.answers.grade``;
``lab check`` reads the student's answer cell and compares the same way.

kubectl commands are compared with :class:`grader.kubectl.KubectlAnswer`, which knows
kubectl's spellings (``svc/web`` = ``service web``, ``-p`` = ``--patch``, JSON or YAML
patches by their content, the lab's own ``-n ch16``), where ``grader.commands`` knows
Docker's.
"""

from __future__ import annotations

import json
from functools import partial

from grader.answers import ValueAnswer
from grader.kubectl import KubectlAnswer as _KubectlAnswer

NAMESPACE = "ch16"
# a kubectl answer of this lab: `-n ch16` may be given or not
KubectlAnswer = partial(_KubectlAnswer, namespace=NAMESPACE)


def _patch_selector(color: str) -> tuple[str, ...]:
    """Switching the Service web to ``color``: the selector's one key, or all of it."""
    patch = {"spec": {"selector": {"app": "pets", "service": "web", "color": color}}}
    return (f"kubectl patch service web -p '{json.dumps(patch)}'",
            f"kubectl set selector service web app=pets,service=web,color={color}")


EXPECTED = {
    "ch16.web.answers": {
        "RUN_CREATES": ValueAnswer(
            "Pod", hint="create one with `kubectl run ... --dry-run=client -o yaml` and read "
                        "its `kind:` line"),
        "CREATE_DEPLOYMENT_COMMAND": KubectlAnswer(
            "kubectl create deployment shop --image=clabs/pets-web:2.0 --port=3000",
            allow_extra=frozenset({"--replicas"}),
            hint="the imperative command that makes a Deployment (not `kubectl run`), with "
                 "the name, the image and the container's port"),
        "NODE_PORT_MIN": ValueAnswer(
            30000, hint="the lowest port of the default NodePort range (the API server's "
                        "--service-node-port-range)"),
        "NODE_PORT_MAX": ValueAnswer(
            32767, hint="the highest port of that range; the source is off by one here"),
    },
    "ch16.liveness.answers": {
        "PROBES_RUN_BY": ValueAnswer(
            "kubelet", hint="the node agent that starts a pod's containers also probes them "
                            "(one word, the component's name)"),
        "RESTARTED_UNIT": ValueAnswer(
            "container", hint="compare the pod's name and the RESTARTS column before and after "
                             "a failed liveness probe: pod or container?"),
        "POD_IP_CHANGES": ValueAnswer(
            False, hint="`kubectl get pod probes-demo -o wide` before and after a restart "
                        "(True or False)"),
        "SECONDS_TO_RESTART": ValueAnswer(
            45, hint="list the times the probe runs (initial delay, then every period); the "
                     "container is restarted at the failureThreshold-th failure in a row"),
    },
    "ch16.readiness.answers": {
        "UNREADY_RESTARTED": ValueAnswer(
            False, hint="look at the RESTARTS column of readiness-demo once it is 0/1 "
                        "(True or False)"),
        "UNREADY_GETS_TRAFFIC": ValueAnswer(
            False, hint="look at the service's endpoints while the pod is not ready "
                        "(True or False)"),
        "READINESS_HOLDS_BACK_LIVENESS": ValueAnswer(
            False, hint="which probe, and only that one, makes the kubelet wait with the "
                        "others? (True or False)"),
    },
    "ch16.startup.answers": {
        "FAILURE_THRESHOLD_FOR_4_MINUTES": ValueAnswer(
            24, hint="the budget of a startup probe is failureThreshold x periodSeconds; "
                     "solve it for 4 minutes and the period given"),
        "STARTUP_PROBE_RUNS_AGAIN": ValueAnswer(
            False, hint="what happens to the startup probe of a container once it has "
                        "succeeded? (True or False)"),
    },
    "ch16.rolling.answers": {
        "DEFAULT_MAX_SURGE_PODS": ValueAnswer(
            2, hint="25% of the replicas, and Kubernetes rounds a surge up"),
        "DEFAULT_MAX_UNAVAILABLE_PODS": ValueAnswer(
            1, hint="25% of the replicas, and Kubernetes rounds unavailability down"),
        "UNDO_TO_REVISION_COMMAND": KubectlAnswer(
            "kubectl rollout undo deployment/web --to-revision=2",
            hint="`kubectl rollout undo` with the flag that names a revision of "
                 "`kubectl rollout history`"),
        "SCALING_MAKES_REVISION": ValueAnswer(
            False, hint="a revision is a new ReplicaSet: which changes of a Deployment make "
                        "one? (True or False)"),
    },
    "ch16.blue-green.answers": {
        "ROLLBACK_COMMAND": KubectlAnswer(
            "kubectl patch service web -p '{\"spec\":{\"selector\":{\"color\":\"blue\"}}}'",
            alternatives=_patch_selector("blue"),
            hint="the same kind of change as the switch, with the other colour, as one "
                 "scriptable command (not `kubectl edit`)"),
        "RETIRE_BLUE_COMMAND": KubectlAnswer(
            "kubectl delete deployment web-blue",
            alternatives=("kubectl delete -f web-deploy-blue.yaml",),
            hint="remove the Deployment of the old colour (and with it its pods); the "
                 "Service stays"),
        "GREEN_ENDPOINTS_BEFORE_SWITCH": ValueAnswer(
            0, hint="which pods does the Service's selector match before the switch? "
                    "(a number)"),
    },
    "ch16.secret-yaml.answers": {
        "BOOK_PASSWORD_BYTES": ValueAnswer(
            16, hint="decode the source's value and count the bytes, with `wc -c` or `od -c`"),
        "DESCRIBED_PASSWORD_BYTES": ValueAnswer(
            15, hint="read the Data section of `kubectl describe secret pets-secret`"),
        "DECODED_API_KEY": ValueAnswer(
            "s3cr3t-k3y", hint="decode the value given in the table with `base64 -d`"),
        "BASE64_IS_ENCRYPTION": ValueAnswer(
            False, hint="does decoding need a key? (True or False)"),
    },
    "ch16.secret-cli.answers": {
        "BOOK_FORM_KEY": ValueAnswer(
            "username.txt", hint="look at the keys under data: in the dry run of the source's "
                                "command"),
        "BOOK_FORM_APP_READS": ValueAnswer(
            "c3VlLWh1bnRlcgo=", hint="decode the dry run's value once: that is the content of "
                                    "the file the program would read"),
        "LITERAL_COMMAND": KubectlAnswer(
            "kubectl create secret generic pets-secret-prod "
            "--from-literal=username=sue-hunter --from-literal=password=123abc456def",
            hint="the same `kubectl create secret generic` as in the exercise, with one "
                 "--from-literal=KEY=VALUE per key instead of files"),
    },
    "ch16.secret-env.answers": {
        "ENV_FOLLOWS_SECRET": ValueAnswer(
            False, hint="when does the kubelet look up the value of a secretKeyRef? "
                        "(True or False)"),
        "FILES_FOLLOW_SECRET": ValueAnswer(
            True, hint="what do the ..data links in /etc/secrets let the kubelet do? "
                       "(True or False)"),
        "MISSING_KEY_REASON": ValueAnswer(
            "CreateContainerConfigError", hint="the reason in the STATUS column of "
                                              "`kubectl get pods` for a container whose "
                                              "configuration cannot be built"),
    },
}
