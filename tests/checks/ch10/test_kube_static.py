"""Every static check of ch10's Kubernetes steps and of ch10.frontend, proven both ways:
it passes on the reference solution and fails, with its hint, on the mistake it exists
to catch (the source's errata among them)."""

import pytest

from tests.checks.ch10.test_static import _edit, _fails
from tests.checks.helpers import run_checks, set_answer_cell

STATIC = ("ch10.pod.file", "ch10.pod.answers", "ch10.deployment.file", "ch10.rollout.file",
          "ch10.rollout.answers", "ch10.frontend.files", "ch10.backend.files",
          "ch10.kubectl.answers", "ch10.labels.file", "ch10.labels.answers",
          "ch10.echoserver.files", "ch10.architecture.answers")
POD = "kubernetes/user-service-pod.yaml"
DEPLOYMENT = "kubernetes/user-service-deployment.yaml"
V2 = "kubernetes/user-service-deployment-v2.yaml"


def test_reference_solution_passes_every_static_check(solved_ch10):
    results = run_checks(solved_ch10, *STATIC)
    assert set(results) == set(STATIC)
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad


# ---- ch10.pod ------------------------------------------------------------------------------


@pytest.mark.parametrize("old,new,seen", [
    ("value: localhost:6379", "value: redis-7.0:6379", "use localhost:6379"),   # notebook 04's name
    (("      readinessProbe:                 # ready = both stores answer\n"
     "        httpGet: {path: /ready, port: 8080}\n        periodSeconds: 2\n        failureThreshold: 3\n"),
     "", "no readinessProbe"),
    ("httpGet: {path: /ready, port: 8080}", "httpGet: {path: /healthz, port: 8080}", "/ready on 8080"),
    ("      image: clabs/redis:7.0\n      imagePullPolicy: IfNotPresent",
     "      image: clabs/redis:7.0\n      imagePullPolicy: Always", "imagePullPolicy Always"),
    ("    - name: user\n      image: user:v2\n",
     "    - name: user\n      image: user:v2\n      command: [sh, -c, 'sleep 20; exec /user']\n",
     "sleeps to wait"),                                                       # the source's sleep
])
def test_pod_file_mistakes(solved_ch10, old, new, seen):
    _edit(solved_ch10 / POD, old, new)
    _fails(solved_ch10, "ch10.pod.file", seen)


def test_pod_with_an_init_container_instead_of_a_probe_passes(solved_ch10):
    _edit(solved_ch10 / POD, "      readinessProbe:                 # ready = both stores answer\n"
          "        httpGet: {path: /ready, port: 8080}\n        periodSeconds: 2\n"
          "        failureThreshold: 3\n", "")
    _edit(solved_ch10 / POD, "spec:\n  containers:\n", "spec:\n  initContainers:\n"
          "    - name: wait-for-stores\n      image: clabs/redis:7.0\n"
          "      command: [sh, -c, 'until redis-cli -h localhost ping; do :; done']\n"
          "  containers:\n")
    r = run_checks(solved_ch10, "ch10.pod.file")["ch10.pod.file"]
    assert r.status == "pass", r.message


# ---- ch10.deployment and ch10.rollout --------------------------------------------------------


@pytest.mark.parametrize("old,new,seen", [
    ("replicas: 3", "replicas: 1", "replicas is 1, not 3"),
    ("apiVersion: apps/v1", "apiVersion: extensions/v1beta1", "removed in 1.16"),
    ("      labels:\n        name: user-service\n    spec:", "      labels:\n        app: user-service\n    spec:",
     "does not select the pod template's labels"),
    ("value: localhost:3306", "value: mysql:3306", "MYSQL_ADDR"),
])
def test_deployment_file_mistakes(solved_ch10, old, new, seen):
    _edit(solved_ch10 / DEPLOYMENT, old, new)
    _fails(solved_ch10, "ch10.deployment.file", seen)


@pytest.mark.parametrize("old,new,seen", [
    ("type: Recreate", "type: RollingUpdate", "not Recreate"),
    ("rollingUpdate: null", "rollingUpdate: {maxSurge: 1}", "refuses that pair"),
    ("        version: v2         # a template change: a new ReplicaSet, revision 2\n", "",
     "not name=user-service and version=v2"),
    ("    matchLabels:\n      name: user-service\n", ("    matchLabels:\n      name: user-service\n"
     "      version: v2\n"), "cannot change"),
])
def test_rollout_file_mistakes(solved_ch10, old, new, seen):
    _edit(solved_ch10 / V2, old, new)
    _fails(solved_ch10, "ch10.rollout.file", seen)


# ---- ch10.frontend -----------------------------------------------------------------------------


def test_frontend_as_the_source_wrote_it(solved_ch10):
    (solved_ch10 / "frontend" / "nginx.conf").write_text(
        "server{\nlisten 80;\nserver_name localhost;\nroot /frontend;\nindex index.html index.htm;"
        "location /login {\ntry_files $uri $uri/ /login.html;\n}}\n")
    _fails(solved_ch10, "ch10.frontend.files", "/login.html")
    (solved_ch10 / "frontend" / "nginx.conf").write_text(
        "server {\n  listen 80;\n  root /frontend;\n  # try_files $uri $uri/ /index.html;\n}\n")
    _fails(solved_ch10, "ch10.frontend.files", "no `try_files $uri $uri/ /index.html;`")


@pytest.mark.parametrize("old,new,seen", [
    ("FROM clabs/nginx:v1", "from nginx", "builds on nginx"),
    ("COPY dist /frontend", "COPY dist /usr/share/nginx/html", "copies no dist/ to /frontend"),
    ("COPY nginx.conf /etc/nginx/conf.d/default.conf", "COPY nginx.conf /etc/nginx/nginx.conf",
     "does not copy nginx.conf"),
])
def test_frontend_dockerfile_mistakes(solved_ch10, old, new, seen):
    _edit(solved_ch10 / "frontend" / "Dockerfile", old, new)
    _fails(solved_ch10, "ch10.frontend.files", seen)


# ---- ch10.backend ------------------------------------------------------------------------------


@pytest.mark.parametrize("file,old,new,seen", [
    ("backend-deployment.yaml", "image: clabs/echoserver:1.0", "image: “clabs/echoserver:1.0”",
     "typographic quotes"),
    ("backend-deployment.yaml", "image: clabs/echoserver:1.0\n          imagePullPolicy: IfNotPresent",
     "image: clabs/echoserver:latest\n          imagePullPolicy: Always", "clabs/echoserver:latest"),
    ("backend-deployment.yaml", "        version: v1", "        release: v1", "no version"),
    ("backend-service.yaml", "type: ClusterIP", "type: NodePort", "not ClusterIP"),
    ("backend-service.yaml", "targetPort: 8080", "targetPort: 80", "targetPort 80"),
    ("backend-service.yaml", "  selector:\n    app: backend", "  selector:\n    app: backend\n    version: v1",
     "the selector is app=backend, version=v1"),
    ("backend-ingress.yaml", "number: 8080", "number: 80", "no rule sends /api"),
    ("backend-ingress.yaml", "metadata:\n  name: backend", "metadata:\n  name: backend\n  namespace: default",
     "not k8sdemo"),
])
def test_backend_file_mistakes(solved_ch10, file, old, new, seen):
    _edit(solved_ch10 / "kubernetes" / file, old, new)
    _fails(solved_ch10, "ch10.backend.files", seen)


# ---- ch10.labels and ch10.echoserver --------------------------------------------------------


def test_labels_file_with_a_wrong_release(solved_ch10):
    _edit(solved_ch10 / "kubernetes" / "labelled-pods.yaml", "release: canary", "release: stable")
    _fails(solved_ch10, "ch10.labels.file", "shop-api-canary")


@pytest.mark.parametrize("old,new,seen", [
    ("nodePort: 30080", "nodePort: 31080", "not one kind maps"),
    ("type: NodePort", "type: ClusterIP", "not NodePort"),
])
def test_echoserver_file_mistakes(solved_ch10, old, new, seen):
    _edit(solved_ch10 / "kubernetes" / "echoserver.yaml", old, new)
    _fails(solved_ch10, "ch10.echoserver.files", seen)


def test_echoserver_as_kubectl_run_makes_it(solved_ch10):
    """`kubectl run echoserver --image=... --port=8080 --dry-run=client -o yaml` gives a
    Pod (erratum 12): the Deployment the step asks for is not there."""
    path = solved_ch10 / "kubernetes" / "echoserver.yaml"
    service = path.read_text().split("---\n", 1)[1]
    path.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: echoserver\n  labels:\n"
                    "    run: echoserver\nspec:\n  containers:\n  - name: echoserver\n"
                    "    image: clabs/echoserver:1.0\n    ports:\n    - containerPort: 8080\n"
                    "---\n" + service)
    _fails(solved_ch10, "ch10.echoserver.files", "has no Deployment named echoserver")


# ---- answer cells -------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook,grade_id,check_id,source,seen", [
    ("06-pods-and-deployments.ipynb", "ch10-pod-answers", "ch10.pod.answers",
     ('REDIS_ADDR_IN_POD = "redis-7.0:6379"\nCONTAINERS_START = "together"\n'
     'WAITS_FOR_STORES = "readinessProbe"\n'), "REDIS_ADDR_IN_POD"),
    ("06-pods-and-deployments.ipynb", "ch10-rollout-answers", "ch10.rollout.answers",
     ('DEFAULT_STRATEGY = "RollingUpdate"\nSCALE_MAKES_REVISION = True\n'
     'REMOVE_ALL_COMMAND = "kubectl delete pods -l name=user-service"\n'), "SCALE_MAKES_REVISION"),
    ("08-everyday-kubectl-and-labels.ipynb", "ch10-kubectl-answers", "ch10.kubectl.answers",
     ('LIST_PODS_COMMAND = "kubectl get pods"\n'
     'LOGS_COMMAND = "kubectl logs deploy/backend -n k8sdemo"\n'
     'SHELL_COMMAND = "kubectl exec -it deploy/user-service -c redis -- sh"\n'
     'CREATE_NAMESPACE_COMMAND = "kubectl create ns k8sdemo"\nTOP_NEEDS = "metrics-server"\n'),
     "LIST_PODS_COMMAND"),
    ("08-everyday-kubectl-and-labels.ipynb", "ch10-labels-answers", "ch10.labels.answers",
     ("NOT_FRONTEND_COUNT = 2\nNOT_FRONTEND_SELECTS_UNLABELLED = False\nIN_COUNT = 3\n"
     'NOTIN_COUNT = 2\nSET_BASED_KIND = "ReplicationController"\n'), "SET_BASED_KIND"),
    ("09-echoserver-and-architecture.ipynb", "ch10-architecture-answers", "ch10.architecture.answers",
     "# YOUR CODE HERE\nraise NotImplementedError()", "no answer yet"),
])
def test_wrong_answers(solved_ch10, notebook, grade_id, check_id, source, seen):
    set_answer_cell(solved_ch10 / notebook, grade_id, source)
    r = _fails(solved_ch10, check_id, seen)
    assert "LOGS_COMMAND" not in r.message  # kubectl's spellings of the same command are right


def test_the_notebooks_write_the_reference_files():
    """Every %%writefile solution cell of notebooks 06-09 holds its solutions/ file, so
    what `lab run ch10 --solution` writes is what the tests grade."""
    import nbformat

    from grader import chapters
    src = chapters.LABS / "ch10"
    written = {}
    for nb in sorted(src.glob("0[6-9]-*.ipynb")):
        for cell in nbformat.read(nb, as_version=4).cells:
            if cell.cell_type == "code" and cell.source.startswith("%%writefile "):
                first, _, rest = cell.source.partition("\n")
                body = rest.replace("### BEGIN SOLUTION\n", "").replace("\n### END SOLUTION", "")
                written[first.split()[1]] = body
    assert set(written) == {str(p.relative_to(src / "solutions"))
                            for p in (src / "solutions").rglob("*")
                            if p.is_file() and p.parts[-2] in ("kubernetes", "frontend")}
    for path, body in written.items():
        assert body.rstrip() == (src / "solutions" / path).read_text().rstrip(), path
