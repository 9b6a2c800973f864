"""kubectl commands compared by meaning (grader/kubectl.py), and the ch16 answer key
that uses it (checks/ch16/answers.py)."""

from __future__ import annotations

import pytest

from grader import answers
from grader.kubectl import (
    KubectlAnswer,
    KubectlError,
    kind_name,
    parse,
    same,
    script_commands,
)


@pytest.mark.parametrize("given", [
    "kubectl rollout undo deployment/web",
    "kubectl rollout undo deploy/web",
    "kubectl rollout undo deployments/web",
    "kubectl rollout undo deployment web",
    "kubectl rollout undo deployment.apps/web",
    "kubectl rollout undo deployments.v1.apps web",
    "kubectl -n ch16 rollout undo deploy web",
    "kubectl rollout undo deploy/web --namespace=ch16",
    "kubectl rollout \\\n  undo deploy/web",
    "kubectl rollout undo deploy/web   # back to 2.0",
])
def test_resource_spellings_are_the_same(given):
    assert same(given, "kubectl rollout undo deployment/web", namespace="ch16")


def test_another_namespace_or_object_is_not():
    assert not same("kubectl rollout undo deploy/web -n default", "kubectl rollout undo deployment/web",
                    namespace="ch16")
    assert not same("kubectl rollout undo deploy/web-blue", "kubectl rollout undo deployment/web")
    assert not same("kubectl rollout undo statefulset/web", "kubectl rollout undo deployment/web")
    assert not same("kubectl rollout status deploy/web", "kubectl rollout undo deployment/web")
    # without a namespace given to compare with, -n is a flag like any other
    assert not same("kubectl -n ch16 rollout undo deploy/web", "kubectl rollout undo deployment/web")


def test_flag_spellings_and_order():
    expected = "kubectl create deployment shop --image=clabs/pets-web:2.0 --port=3000"
    for given in ("kubectl create deployment shop --port 3000 --image clabs/pets-web:2.0",
                  "kubectl create deploy shop --image=clabs/pets-web:2.0 --port=3000",
                  "kubectl create deployment --image=clabs/pets-web:2.0 shop --port=3000"):
        assert same(given, expected), given
    assert not same("kubectl create deployment shop --image=clabs/pets-web:2.0", expected)
    assert not same("kubectl create deployment shop --image=clabs/pets-web:2.1 --port=3000", expected)
    assert not same("kubectl create deployment shop --image=clabs/pets-web:2.0 --port=3000 "
                    "--replicas=3", expected)
    assert same("kubectl create deployment shop --image=clabs/pets-web:2.0 --port=3000 -r 3",
                expected, allow_extra={"--replicas"})


def test_erratum_12_kubectl_run_is_not_create_deployment():
    expected = "kubectl create deployment shop --image=clabs/pets-web:2.0 --port=3000"
    assert not same("kubectl run shop --image=clabs/pets-web:2.0 --port=3000", expected)


@pytest.mark.parametrize("given", [
    """kubectl patch service web -p '{"spec":{"selector":{"color":"blue"}}}'""",
    """kubectl patch svc/web --patch '{"spec": {"selector": {"color": "blue"}}}'""",
    """kubectl patch svc web -p='{ "spec" : { "selector" : { "color" : "blue" } } }'""",
    """kubectl patch svc web -p 'spec: {selector: {color: blue}}'""",
    """kubectl patch svc web --type merge -p '{"spec":{"selector":{"color":"blue"}}}'""",
    """kubectl patch svc web --type=strategic -p '{"spec":{"selector":{"color":"blue"}}}'""",
    """kubectl patch svc web --type=json -p '[{"op":"replace","path":"/spec/selector/color","value":"blue"}]'""",
    """kubectl patch svc web --type json -p '[{"op": "add", "path": "/spec/selector/color", "value": "blue"}]'""",
    """kubectl -n ch16 patch service web -p '{"spec":{"selector":{"color":"blue"}}}'""",
])
def test_patches_are_compared_as_data(given):
    assert same(given, """kubectl patch service web -p '{"spec":{"selector":{"color":"blue"}}}'""",
                namespace="ch16")


def test_patches_that_do_something_else():
    expected = """kubectl patch service web -p '{"spec":{"selector":{"color":"blue"}}}'"""
    for given in ("""kubectl patch service web -p '{"spec":{"selector":{"color":"green"}}}'""",
                  """kubectl patch service web -p '{"spec":{"selector":{"colour":"blue"}}}'""",
                  """kubectl patch service web --type=json -p '[{"op":"remove","path":"/spec/selector/color"}]'""",
                  """kubectl patch service web --type=json -p '[{"op":"replace","path":"/spec/ports/0/port","value":1}]'""",
                  """kubectl patch service db -p '{"spec":{"selector":{"color":"blue"}}}'""",
                  "kubectl edit service web",   # erratum 11: interactive, not a patch
                  "kubectl edit svc/web"):
        assert not same(given, expected), given


def test_a_json_patch_removing_a_key_is_a_merge_patch_with_null():
    assert same("""kubectl patch svc web --type=json -p '[{"op":"remove","path":"/spec/selector/color"}]'""",
                """kubectl patch svc web -p '{"spec":{"selector":{"color":null}}}'""")


def test_delete_objects_and_files():
    cmd = parse("kubectl delete --ignore-not-found svc/web deploy/web svc/db statefulset/db")
    assert cmd.verb == "delete"
    assert cmd.objects == ("deployment/web", "service/db", "service/web", "statefulset/db")
    assert cmd.flag("--ignore-not-found") == ("true",)
    assert parse("kubectl delete service web db").objects == ("service/db", "service/web")
    assert parse("kubectl delete svc,deploy web").objects == ("deployment/web", "service/web")
    assert parse("kubectl delete pods --all").objects == ("pod",)
    assert parse("kubectl delete pvc pets-data-db-0").names("PersistentVolumeClaim") == {"pets-data-db-0"}
    assert same("kubectl delete -f ./web-deploy-blue.yaml", "kubectl delete -f web-deploy-blue.yaml")
    assert same("kubectl delete deployment web-blue", "kubectl delete deploy/web-blue")
    assert not same("kubectl delete deployment web-blue --all", "kubectl delete deploy/web-blue")


def test_secrets_from_files_and_literals():
    expected = ("kubectl create secret generic pets-secret-prod "
                "--from-file=username=./secret-files/username.txt "
                "--from-file=password=./secret-files/password.txt")
    assert same("kubectl create secret generic pets-secret-prod "
                "--from-file=password=secret-files/password.txt "
                "--from-file username=secret-files/username.txt", expected)
    # erratum 9: keys named after the files
    assert not same("kubectl create secret generic pets-secret-prod "
                    "--from-file=./secret-files/username.txt "
                    "--from-file=./secret-files/password.txt", expected)
    literal = ("kubectl create secret generic pets-secret-prod "
               "--from-literal=username=sue-hunter --from-literal=password=123abc456def")
    assert same("kubectl create secret generic pets-secret-prod --from-literal password=123abc456def "
                "--from-literal=username=sue-hunter", literal)
    assert not same(literal.replace("secret generic", "secret tls"), literal)


def test_set_selector_and_set_image():
    assert same("kubectl set selector svc/web color=blue,app=pets,service=web",
                "kubectl set selector service web app=pets,service=web,color=blue")
    assert same("kubectl set image deploy/web web=clabs/pets-web:2.1",
                "kubectl set image deployment/web web=clabs/pets-web:2.1")
    assert not same("kubectl set image deploy/web web=clabs/pets-web:2.0",
                    "kubectl set image deployment/web web=clabs/pets-web:2.1")


def test_verb_specific_short_flags():
    logs = parse("kubectl logs -f -p -c web pod/web-1")
    assert set(logs.flags) == {"--follow", "--previous", "--container"}
    assert logs.objects == ("pod/web-1",)
    assert parse("kubectl logs web-1").objects == ("pod/web-1",)  # a bare name is a pod's
    assert parse("kubectl exec -it web-pod -- cat /data/x").args == ("--", "cat", "/data/x")
    assert parse("kubectl apply -f pets.yaml").flag("--filename") == ("pets.yaml",)


def test_not_kubectl_or_unreadable():
    for bad in ("", "docker ps", "kubectl 'unclosed", "oc get pods"):
        with pytest.raises(KubectlError):
            parse(bad)
        assert not same(bad, "kubectl get pods")
    with pytest.raises(TypeError):
        parse(None)
    assert not same(None, "kubectl get pods")
    assert not same(42, "kubectl get pods")
    assert kind_name("Services") == "service" and kind_name("frobs") is None


def test_script_commands():
    text = ("#!/bin/sh\n# remove\nset -e\necho bye\n"
            "kubectl delete --ignore-not-found \\\n  svc/web deploy/web && kubectl get pods\n"
            "  kubectl delete svc/db ; kubectl delete sts/db  # the db\n")
    assert script_commands(text) == ["kubectl delete --ignore-not-found    svc/web deploy/web",
                                     "kubectl get pods", "kubectl delete svc/db",
                                     "kubectl delete sts/db  # the db"]


def test_kubectl_answer():
    a = KubectlAnswer("kubectl rollout undo deployment/web --to-revision=2", hint="h",
                      namespace="ch16")
    assert a.accepts("kubectl rollout undo deploy/web --to-revision 2 -n ch16")
    assert not a.accepts("kubectl rollout undo deploy/web")
    assert not a.accepts("kubectl rollout undo deploy/web --to-revision=3")
    assert not a.accepts(None) and not a.accepts(["kubectl"])
    b = KubectlAnswer("kubectl delete deployment web-blue", hint="h",
                      alternatives=("kubectl delete -f web-deploy-blue.yaml",))
    assert b.accepts("kubectl delete -f ./web-deploy-blue.yaml") and b.accepts("kubectl delete deploy web-blue")


# ---- the ch16 answer key -------------------------------------------------------------------


def _key(check_id: str, name: str):
    return answers.expected(check_id)[name]


def test_ch16_key_accepts_what_the_notebooks_teach():
    assert _key("ch16.rolling.answers", "UNDO_TO_REVISION_COMMAND").accepts(
        "kubectl rollout undo deploy/web --to-revision=2 -n ch16")
    rollback = _key("ch16.blue-green.answers", "ROLLBACK_COMMAND")
    for given in ("""kubectl patch service web -p '{"spec":{"selector":{"color":"blue"}}}'""",
                  """kubectl patch svc/web -p '{"spec":{"selector":{"app":"pets","service":"web","color":"blue"}}}'""",
                  "kubectl set selector svc web app=pets,service=web,color=blue",
                  """kubectl patch svc web --type=json -p='[{"op":"replace","path":"/spec/selector/color","value":"blue"}]'"""):
        assert rollback.accepts(given), given
    assert not rollback.accepts("kubectl edit svc/web")  # erratum 11
    assert not rollback.accepts("""kubectl patch service web -p '{"spec":{"selector":{"color":"green"}}}'""")
    retire = _key("ch16.blue-green.answers", "RETIRE_BLUE_COMMAND")
    assert retire.accepts("kubectl delete deploy/web-blue") and retire.accepts("kubectl delete -f web-deploy-blue.yaml")
    assert not retire.accepts("kubectl delete svc/web")
    literal = _key("ch16.secret-cli.answers", "LITERAL_COMMAND")
    assert literal.accepts("kubectl create secret generic pets-secret-prod -n ch16 "
                           "--from-literal password=123abc456def --from-literal username=sue-hunter")
    assert not literal.accepts("kubectl create secret generic pets-secret-prod "
                               "--from-file=./secret-files/username.txt --from-file=./secret-files/password.txt")
    create = _key("ch16.web.answers", "CREATE_DEPLOYMENT_COMMAND")
    assert create.accepts("kubectl create deploy shop --port=3000 --image=clabs/pets-web:2.0 --replicas=2")
    assert not create.accepts("kubectl run shop --image=clabs/pets-web:2.0 --port=3000")  # erratum 12
    assert not _key("ch16.web.answers", "RUN_CREATES").accepts("Deployment")
