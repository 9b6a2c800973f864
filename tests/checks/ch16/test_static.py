"""Every static ch16 check, proven both ways: it passes on the reference solution
(labs/ch16/solutions, the notebooks' answer cells) and fails, with what it saw and its
hint, on the mistakes it exists to catch — each of the source's errata 5 to 12 among
them (an exec probe as one string, port 5000, extensions/v1beta1, echo without -n,
--from-file keys named after the files; kubectl edit for the switch and kubectl run for
a Deployment are answers: test_answers.py; erratum 10, the nodePort by grep, has no file
or answer to check)."""

from __future__ import annotations

import pytest

from grader import chapters
from tests.checks.ch16.helpers import ANSWER_CELLS, fails, passes, run
from tests.checks.helpers import edit

STATIC = {
    "ch16.web.answers", "ch16.web.files", "ch16.db.files", "ch16.one-file.files",
    "ch16.liveness.answers", "ch16.liveness.files", "ch16.readiness.answers", "ch16.readiness.files",
    "ch16.startup.answers", "ch16.startup.files", "ch16.rolling.answers", "ch16.rolling.file",
    "ch16.blue-green.answers", "ch16.blue-green.files", "ch16.secret-yaml.answers",
    "ch16.secret-yaml.file", "ch16.secret-cli.answers", "ch16.secret-cli.files",
    "ch16.secret-volume.file", "ch16.secret-env.answers", "ch16.secret-env.file"}


def test_reference_solution_passes_every_static_check(solved):
    results = run(solved)
    assert set(results) == STATIC
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad


def test_names_module_knows_the_notebooks_and_answer_cells():
    from checks.ch16 import names
    assert names.ANSWER_CELLS == ANSWER_CELLS
    for notebook, _ in ANSWER_CELLS.values():
        assert (chapters.LABS / "ch16" / notebook).is_file(), notebook


# ---- ch16.web ----------------------------------------------------------------------------------


def test_erratum_7_extensions_v1beta1(solved):
    edit(solved / "web-deployment.yaml", "apiVersion: apps/v1 ", "apiVersion: extensions/v1beta1 ")
    fails(solved, "ch16.web.files", "web-deployment.yaml: Deployment web has apiVersion "
                                    "extensions/v1beta1, which Kubernetes removed in 1.16: use apps/v1")


def test_selector_not_in_the_template(solved):
    edit(solved / "web-deployment.yaml", "        service: web", "        service: frontend")
    fails(solved, "ch16.web.files", "does not select the pod template's labels (app=pets, service=frontend)")


def test_pull_always(solved):
    edit(solved / "web-deployment.yaml", "imagePullPolicy: IfNotPresent", "imagePullPolicy: Always")
    fails(solved, "ch16.web.files", "imagePullPolicy Always, but clabs/pets-web:2.0 is in no registry")


def test_the_books_image_and_port(solved):
    edit(solved / "web-deployment.yaml", "image: clabs/pets-web:2.0", "image: fundamentalsofdocker/ch11-web:2.0")
    fails(solved, "ch16.web.files", "runs 'fundamentalsofdocker/ch11-web:2.0', not clabs/pets-web:2.0")


def test_node_port_off_by_one(solved):
    edit(solved / "web-service.yaml", "    - port: 3000 ", "    - nodePort: 32768\n      port: 3000 ")
    fails(solved, "ch16.web.files", "nodePort 32768 is outside 30000-32767")


def test_service_of_the_wrong_type_or_selector(solved):
    edit(solved / "web-service.yaml", "type: NodePort", "type: ClusterIP")
    fails(solved, "ch16.web.files", "Service web is of type ClusterIP, not NodePort")


def test_plain_service_selects_the_plain_labels(solved):
    path = solved / "web-service.yaml"
    text = path.read_text()
    at = text.rindex("    service: web\n")
    path.write_text(text[:at] + "    service: web\n    color: blue\n" + text[at + len("    service: web\n"):])
    fails(solved, "ch16.web.files", "the selector is app=pets, service=web, color=blue, not app=pets, service=web")


# ---- ch16.db and ch16.one-file --------------------------------------------------------------------


def test_claim_of_another_size(solved):
    edit(solved / "db-stateful-set.yaml", "storage: 100Mi", "storage: 1Gi")
    fails(solved, "ch16.db.files", "claim pets-data requests '1Gi', not 100Mi")


def test_no_password_for_postgres(solved):
    edit(solved / "db-stateful-set.yaml", "            - name: POSTGRES_PASSWORD\n              value: dbpass\n", "")
    fails(solved, "ch16.db.files", "sets no POSTGRES_PASSWORD")


def test_data_mounted_elsewhere(solved):
    edit(solved / "db-stateful-set.yaml", "mountPath: /var/lib/postgresql/data", "mountPath: /data")
    fails(solved, "ch16.db.files", "does not mount pets-data at /var/lib/postgresql/data (mounts: pets-data at /data)")


def test_pets_yaml_with_three_objects(solved):
    text = (solved / "pets.yaml").read_text()
    (solved / "pets.yaml").write_text(text[:text.rindex("---")])
    fails(solved, "ch16.one-file.files", "pets.yaml holds Deployment web, Service web, StatefulSet db; "
                                         "it should hold Deployment web, Service web, StatefulSet db, Service db")


def test_pets_yaml_differs_from_the_separate_file(solved):
    edit(solved / "pets.yaml", "replicas: 1", "replicas: 2")
    fails(solved, "ch16.one-file.files", "pets.yaml: Deployment web differs from web-deployment.yaml: "
                                         ".spec.replicas is 2, want 1")


@pytest.mark.parametrize("script, seen", [
    ("kubectl delete svc/web deploy/web svc/db statefulset/db pvc/pets-data-db-0",
     ("also deletes persistentvolumeclaim/pets-data-db-0: it should remove only the four objects of "
     "pets.yaml (the claim holds the data: keep it)")),
    ("kubectl delete all --all", "deletes by --all or a label selector"),
    ("kubectl delete deploy,svc -l app=pets", "deletes by --all or a label selector"),
    ("kubectl delete svc/web deploy/web", "does not delete service/db, statefulset/db"),
    ("echo nothing to do", "runs no `kubectl delete`"),
    ("kubectl delete -n default svc/web deploy/web svc/db statefulset/db", "deletes in namespace default"),
])
def test_remove_script_mistakes(script, seen, solved):
    (solved / "remove-pets.sh").write_text(f"#!/bin/sh\nset -e\n{script}\n")
    fails(solved, "ch16.one-file.files", seen)


@pytest.mark.parametrize("script", [
    "kubectl delete --ignore-not-found service/web deployment/web service/db sts/db",
    "kubectl delete svc web db\nkubectl delete deploy web && kubectl delete statefulset db -n ch16",
    "kubectl delete -f pets.yaml --ignore-not-found",
])
def test_remove_script_spellings(script, solved):
    (solved / "remove-pets.sh").write_text(f"#!/bin/sh\n# remove it\n{script}\n")
    passes(solved, "ch16.one-file.files")


# ---- probes --------------------------------------------------------------------------------------


EXEC = f"{'probes/liveness-exec.yaml'}"


def test_erratum_5_one_string(solved):
    edit(solved / EXEC, 'command: ["pg_isready", "--host=127.0.0.1", "--port=5432"]',
         "command: nc localhost 5432 || exit -1")
    fails(solved, "ch16.liveness.files", "exec.command is one string ('nc localhost 5432 || exit -1'); "
                                         "it is an argv list, run without a shell")


def test_erratum_5_or_without_a_shell(solved):
    edit(solved / EXEC, 'command: ["pg_isready", "--host=127.0.0.1", "--port=5432"]',
         'command: ["pg_isready", "-h", "127.0.0.1", "||", "exit", "1"]')
    fails(solved, "ch16.liveness.files", "has '||' without a shell")


def test_erratum_5_nc_is_not_in_the_image(solved):
    edit(solved / EXEC, 'command: ["pg_isready", "--host=127.0.0.1", "--port=5432"]',
         'command: ["sh", "-c", "nc -z localhost 5432 || exit 1"]')
    fails(solved, "ch16.liveness.files", "clabs/postgres:15 has no nc")


def test_a_shell_line_with_pg_isready_passes(solved):
    edit(solved / EXEC, 'command: ["pg_isready", "--host=127.0.0.1", "--port=5432"]',
         'command: ["sh", "-c", "pg_isready --host=127.0.0.1 || exit 1"]')
    passes(solved, "ch16.liveness.files")


def test_erratum_6_port_5000(solved):
    edit(solved / "probes/liveness-http.yaml", "          port: 3000", "          port: 5000")
    fails(solved, "ch16.liveness.files", "httpGet goes to port 5000; the program listens on 3000 (the "
                                         "source says 5000 in its text")


def test_tcp_probe_timing(solved):
    edit(solved / "probes/liveness-tcp.yaml", "periodSeconds: 5", "periodSeconds: 10")
    fails(solved, "ch16.liveness.files", "probes/liveness-tcp.yaml: initialDelaySeconds 10, periodSeconds 10")


def test_probes_demo_probes_the_wrong_path(solved):
    edit(solved / "probes/probes-demo.yaml", "path: /health", "path: /ready")
    fails(solved, "ch16.liveness.files", "httpGet asks for /ready, not /health")


def test_a_readiness_probe_missing(solved):
    text = (solved / "probes/readiness.yaml").read_text()
    (solved / "probes/readiness.yaml").write_text(text[:text.index("      readinessProbe:")])
    fails(solved, "ch16.readiness.files", "container db has no readinessProbe")


def test_readiness_demo_without_its_readiness_probe(solved):
    text = (solved / "probes/readiness-demo.yaml").read_text()
    start, end = text.index("      readinessProbe:"), text.index("---")
    (solved / "probes/readiness-demo.yaml").write_text(text[:start] + text[end:])
    fails(solved, "ch16.readiness.files", "probes/readiness-demo.yaml: container probes-demo has no readinessProbe")


def test_readiness_demo_with_a_liveness_probe(solved):
    edit(solved / "probes/readiness-demo.yaml", "      readinessProbe:",
         "      livenessProbe:\n        tcpSocket:\n          port: 3000\n      readinessProbe:")
    fails(solved, "ch16.readiness.files", "readiness-demo has a livenessProbe")


def test_liveness_threshold_of_readiness_pod(solved):
    edit(solved / "probes/readiness.yaml", "failureThreshold: 2", "failureThreshold: 3")
    fails(solved, "ch16.readiness.files", "the liveness probe has failureThreshold 3 and periodSeconds 5, not 2 and 5")


def test_startup_budget_too_small(solved):
    edit(solved / "probes/startup.yaml", "failureThreshold: 30", "failureThreshold: 10")
    fails(solved, "ch16.startup.files", "allows failureThreshold 10 x periodSeconds 5 = 50 s, less than 150 s")


def test_startup_without_liveness(solved):
    text = (solved / "probes/startup.yaml").read_text()
    start, end = text.index("      livenessProbe:"), text.index("      readinessProbe:")
    (solved / "probes/startup.yaml").write_text(text[:start] + text[end:])
    fails(solved, "ch16.startup.files", "has no livenessProbe")


# ---- rolling and blue-green ---------------------------------------------------------------------


def test_rolling_without_readiness_probe(solved):
    text = (solved / "web-deploy-rolling-v1.yaml").read_text()
    (solved / "web-deploy-rolling-v1.yaml").write_text(text[:text.index("          readinessProbe:")])
    fails(solved, "ch16.rolling.file", "container web has no readinessProbe")


def test_rolling_recreate(solved):
    text = (solved / "web-deploy-rolling-v1.yaml").read_text()
    start, end = text.index("  strategy:"), text.index("  template:")
    (solved / "web-deploy-rolling-v1.yaml").write_text(text[:start] + "  strategy:\n    type: Recreate\n" + text[end:])
    fails(solved, "ch16.rolling.file", "strategy Recreate stops every pod")


def test_rolling_advice_is_not_a_failure(solved):
    edit(solved / "web-deploy-rolling-v1.yaml", "maxUnavailable: 0 ", "maxUnavailable: 1 ")
    r = run(solved, "ch16.rolling.file")["ch16.rolling.file"]
    assert r.status == "pass" and r.details["advice"] == ["maxUnavailable 0 keeps five pods ready throughout"]


def test_rolling_with_three_replicas(solved):
    edit(solved / "web-deploy-rolling-v1.yaml", "replicas: 5", "replicas: 3")
    fails(solved, "ch16.rolling.file", "replicas is 3, not 5")


def test_blue_green_service_without_a_colour(solved):
    edit(solved / "web-svc-blue-green.yaml", "    color: blue", "")
    fails(solved, "ch16.blue-green.files", "the selector app=pets, service=web names no colour")


def test_green_without_its_colour(solved):
    edit(solved / "web-deploy-green.yaml", "      color: green\n", "", count=1)
    fails(solved, "ch16.blue-green.files", "web-deploy-green.yaml: selects app=pets, service=web with pod "
                                           "labels app=pets, service=web, color=green")


def test_green_on_the_old_image(solved):
    edit(solved / "web-deploy-green.yaml", "clabs/pets-web:2.1", "clabs/pets-web:2.0")
    fails(solved, "ch16.blue-green.files", "container web runs 'clabs/pets-web:2.0', not clabs/pets-web:2.1")


# ---- secrets -----------------------------------------------------------------------------------------


def test_erratum_8_echo_without_n(solved):
    edit(solved / "pets-secret.yaml", "username: am9obi5kb2U=", "username: am9obi5kb2UK")
    fails(solved, "ch16.secret-yaml.file", "username is 'john.doe\\n', with a trailing newline: `echo` adds one")


def test_secret_value_not_base64(solved):
    edit(solved / "pets-secret.yaml", "username: am9obi5kb2U=", "username: john.doe")
    fails(solved, "ch16.secret-yaml.file", "data.username is not base64")


def test_string_data_is_fine(solved):
    edit(solved / "pets-secret.yaml", "data:\n  username: am9obi5kb2U=\n  password: c0VjcmV0LXBhc1N3MHJE",
         "stringData:\n  username: john.doe\n  password: sEcret-pasSw0rD")
    passes(solved, "ch16.secret-yaml.file")


def test_secret_keys_named_after_files_in_yaml(solved):
    edit(solved / "pets-secret.yaml", "  username: am9", "  username.txt: am9")
    fails(solved, "ch16.secret-yaml.file", "username.txt is a file's name")


def test_erratum_9_base64_in_the_files(solved):
    (solved / "secret-files/username.txt").write_text("c3VlLWh1bnRlcg==\n")
    fails(solved, "ch16.secret-cli.files", "secret-files/username.txt holds the base64 of 'sue-hunter'")


def test_a_file_with_a_newline(solved):
    (solved / "secret-files/password.txt").write_text("123abc456def\n")
    fails(solved, "ch16.secret-cli.files", "secret-files/password.txt ends with a newline")


def test_secret_mount_not_read_only(solved):
    edit(solved / "web-deploy-secret.yaml", "              readOnly: true\n", "")
    fails(solved, "ch16.secret-volume.file", "the mount at /etc/secrets is not readOnly")


def test_secret_mounted_elsewhere(solved):
    edit(solved / "web-deploy-secret.yaml", "mountPath: /etc/secrets", "mountPath: /run/secrets")
    fails(solved, "ch16.secret-volume.file", "does not mount volume secrets at /etc/secrets (it is at /run/secrets)")


def test_secret_env_written_in_the_manifest(solved):
    edit(solved / "web-deploy-secret-env.yaml",
         "            - name: PETS_PASSWORD\n              valueFrom:\n                secretKeyRef:\n"
         "                  name: pets-secret\n                  key: password",
         "            - name: PETS_PASSWORD\n              value: sEcret-pasSw0rD")
    fails(solved, "ch16.secret-env.file", "PETS_PASSWORD is written in the manifest")


def test_secret_env_from_a_file_named_key(solved):
    edit(solved / "web-deploy-secret-env.yaml", "key: username", "key: username.txt")
    fails(solved, "ch16.secret-env.file", "PETS_USERNAME comes from pets-secret key 'username.txt', "
                                          "not pets-secret key 'username'")
