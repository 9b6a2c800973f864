"""The names the ch15 lab uses (docs/ch15.md), in one place for its checks."""

NAMESPACE = "ch15"
NGINX_IMAGE = "clabs/nginx:v1"
TOOLBOX_IMAGE = "clabs/toolbox:1.0"
PULL_POLICY = "IfNotPresent"
# what every page of clabs/nginx says (environments/images/nginx/index.html.in)
NGINX_PAGE_MARK = "Welcome to clabs/nginx:"

# notebooks, and the answer cell of each concept step
NOTEBOOK_CLUSTER = "01-architecture-and-cluster.ipynb"
NOTEBOOK_PODS = "02-pods.ipynb"
NOTEBOOK_VOLUMES = "03-volumes-and-replicasets.ipynb"
NOTEBOOK_SERVICES = "04-services-and-ingress.ipynb"
ANSWER_CELLS = {  # check id: (notebook, grade_id)
    "ch15.architecture.answers": (NOTEBOOK_CLUSTER, "ch15-architecture-answers"),
    "ch15.first-pod.answers": (NOTEBOOK_PODS, "ch15-first-pod-answers"),
    "ch15.lifecycle.answers": (NOTEBOOK_PODS, "ch15-lifecycle-answers"),
    "ch15.deployment-service.answers": (NOTEBOOK_SERVICES, "ch15-deployment-service-answers"),
    "ch15.compare.answers": (NOTEBOOK_SERVICES, "ch15-compare-answers"),
}

# ch15.architecture: kube-system pods of the control plane, by their `component` label
# (kubeadm's static pods: kind, minikube, Docker Desktop) or their name prefix
SYSTEM_NAMESPACE = "kube-system"
CONTROL_PLANE = ("kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler")

# ch15.first-pod
SAMPLE_POD_FILE = "sample-pod.yaml"
SAMPLE_SERVICE_FILE = "sample-service.yaml"
SAMPLE_POD = "nginx"
SAMPLE_CONTAINER = "nginx"
SAMPLE_PORTS = (80, 443)
SAMPLE_LABELS = {"app": "nginx"}
SAMPLE_SERVICE = "nginx-service"
SAMPLE_SERVICE_TYPE = "LoadBalancer"
SAMPLE_SERVICE_PORT = 8080
SAMPLE_TARGET_PORT = 80

# ch15.pause (plain Docker)
PAUSE_CONTAINER = "pause"
MAIN_CONTAINER = "main"
LAB_LABEL_KEY = "org.container-labs.lab"
LAB_LABEL_VALUE = "ch15"

# ch15.pod-spec
POD_FILE = "pod.yaml"
WEB_POD = "web-pod"
WEB_CONTAINER = "web"
WEB_PORT = 80

# ch15.volume
CLAIM_FILE = "volume-claim.yaml"
CLAIM = "my-data-claim"
CLAIM_ACCESS_MODE = "ReadWriteOnce"
CLAIM_SIZE = "2Gi"
VOLUME_POD_FILE = "pod-with-vol.yaml"
VOLUME = "my-data"
MOUNT_PATH = "/data"
SAMPLE_FILE = "/data/sample.txt"
SAMPLE_TEXT = "Hello world!"

# ch15.replicaset
REPLICASET_FILE = "replicaset.yaml"
REPLICASET = "rs-web"
REPLICAS = 3
WEB_LABELS = {"app": "web"}
RS_CONTAINER = "nginx"

# ch15.deployment-service and ch15.ingress
WEB_SERVICE_FILE = "web-service.yaml"
WEB_SERVICE = "web"
WEB_SERVICE_PORT = 80
INGRESS_FILE = "ingress.yaml"
INGRESS = "web"
INGRESS_CLASS = "nginx"
INGRESS_HOST = "example.com"
INGRESS_PATH = "/web"
INGRESS_PATH_TYPE = "Prefix"
REWRITE_ANNOTATION = "nginx.ingress.kubernetes.io/rewrite-target"
# the ingress controller as pods in the cluster reach it (ingress-nginx on kind)
INGRESS_CONTROLLER_URL = "http://ingress-nginx-controller.ingress-nginx.svc"

# behaviour checks: --param heal_timeout=60 (seconds for a replacement pod to be Ready)
HEAL_TIMEOUT = 60.0
RECREATE_TIMEOUT = 120.0
REQUEST_TIMEOUT = 60.0
