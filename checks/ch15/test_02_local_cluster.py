"""ch15.local-cluster: a local cluster (kind by default) whose nodes are Ready."""

from grader.checkkit import check, condition, kube_require


@check("ch15.local-cluster.nodes", "The cluster has nodes, and every node is Ready", points=2,
       layer="live",
       hint="`lab env up ch15` makes a kind cluster and its context kind-<name>; "
            "`kubectl config get-contexts` lists the contexts, `kubectl config use-context "
            "kind-<name>` picks one, `kubectl get nodes` must show every node Ready. A node "
            "stays NotReady while its network plugin starts (wait a minute); if it stays "
            "so, `kubectl describe node <name>` says why.")
def test_nodes_ready(kube, details):
    kube_require(kube, "Node")
    nodes = kube.of("Node")
    assert nodes, "the cluster has no node (none in the snapshot): is the cluster up?"
    details["nodes"] = {
        nd["metadata"]["name"]: " ".join(filter(None, (
            ((nd.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion"),
            ((nd.get("status") or {}).get("nodeInfo") or {}).get("containerRuntimeVersion"))))
        for nd in nodes}
    bad = []
    for nd in nodes:
        ready = condition(nd, "Ready")
        if not ready or ready.get("status") != "True":
            why = (ready or {}).get("message") or (ready or {}).get("reason") or "no Ready condition"
            bad.append(f"{nd['metadata']['name']} is NotReady ({why})")
    assert not bad, "; ".join(bad)
