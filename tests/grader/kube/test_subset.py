"""kuttl-style partial matching: what is stated must be there; the path of each
difference is reported."""

from grader.kube.subset import key_path, matches, mismatches

RS = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
      "metadata": {"name": "rs-web", "labels": {"app": "web"},
                   "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"}},
      "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
               "template": {"spec": {"containers": [
                   {"name": "sidecar", "image": "clabs/toolbox:1.0"},
                   {"name": "nginx", "image": "clabs/nginx:v1",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}},
      "status": {"readyReplicas": 2}}


def test_equal_subset_has_no_mismatch():
    assert mismatches({"spec": {"selector": {"matchLabels": {"app": "web"}}}}, RS) == []
    assert matches({}, RS)
    assert matches(RS, RS)


def test_scalar_difference_names_the_path_and_both_values():
    assert mismatches({"spec": {"replicas": 3}}, RS) == [".spec.replicas is 2, want 3"]


def test_missing_field():
    assert mismatches({"spec": {"minReadySeconds": 5}}, RS) == \
        [".spec.minReadySeconds is missing, want 5"]
    assert mismatches({"metadata": {"labels": {"tier": "front"}}}, RS) == \
        ['.metadata.labels.tier is missing, want "front"']


def test_keys_that_are_not_words_are_quoted():
    want = {"metadata": {"annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/x"}}}
    assert mismatches(want, RS) == \
        ['.metadata.annotations["nginx.ingress.kubernetes.io/rewrite-target"] is "/", want "/x"']
    assert key_path(".metadata.labels", "app") == ".metadata.labels.app"


def test_lists_of_named_maps_match_by_name_in_any_order():
    want = {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "image": "clabs/nginx:v1", "ports": [{"containerPort": 80}]}]}}}}
    assert mismatches(want, RS) == []
    want["spec"]["template"]["spec"]["containers"][0]["image"] = "clabs/nginx:v2"
    assert mismatches(want, RS) == \
        ['.spec.template.spec.containers[name=nginx].image is "clabs/nginx:v1", want "clabs/nginx:v2"']


def test_named_item_missing_lists_what_is_there():
    want = {"spec": {"template": {"spec": {"containers": [{"name": "web"}]}}}}
    assert mismatches(want, RS) == \
        [".spec.template.spec.containers[name=web] is missing (there: sidecar, nginx)"]


def test_other_lists_match_by_position_and_may_be_longer():
    have = {"accessModes": ["ReadWriteOnce", "ReadOnlyMany"], "ports": [80, 443]}
    assert mismatches({"accessModes": ["ReadWriteOnce"]}, have) == []
    assert mismatches({"ports": [443]}, have) == [".ports[0] is 80, want 443"]
    assert mismatches({"ports": [80, 443, 8080]}, have) == \
        [".ports has 2 item(s), want 3: [80, 443, 8080]"]


def test_types_matter():
    assert mismatches({"port": 80}, {"port": "80"}) == ['.port is "80", want 80']
    assert mismatches({"flag": True}, {"flag": 1}) == [".flag is 1, want true"]
    assert mismatches({"n": 2}, {"n": 2.0}) == []
    assert mismatches({"spec": {"replicas": 3}}, {"spec": []}) == [".spec is a list, want a map"]
    assert mismatches({"items": [1]}, {"items": {"a": 1}}) == [".items is a map, want a list"]


def test_every_difference_is_reported():
    want = {"spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}}},
            "status": {"readyReplicas": 3}}
    assert mismatches(want, RS) == [".spec.replicas is 2, want 3",
                                    '.spec.selector.matchLabels.app is "web", want "nginx"',
                                    ".status.readyReplicas is 2, want 3"]


def test_null_in_actual_is_missing():
    assert mismatches({"spec": {"type": "ClusterIP"}}, {"spec": {"type": None}}) == \
        ['.spec.type is missing, want "ClusterIP"']
