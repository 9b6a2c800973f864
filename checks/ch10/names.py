"""The names the ch10 lab uses (docs/architecture.md), in one place for its checks."""

REDIS_IMAGE = "clabs/redis:7.0"
REDIS_CONTAINER = "redis-7.0"
GOLANG_IMAGE = "clabs/golang:1.19"
MARIADB_IMAGE = "clabs/mariadb:10.11"
USER_V1 = "user:v1"
USER_V2 = "user:v2"
DB_IMAGE = "mysql-for-user:v1"
DB_CONTAINER = "mysql"
USER_CONTAINER = "user"
NETWORK = "ch10-lab"
COMPOSE_PROJECT = "ch10"
USER_PORT = "8080/tcp"
PASSWORD_VARS = ("MYSQL_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD", "MYSQL_PASSWORD")
MAX_FINAL_IMAGE_MB = 40

# ch10.dockerfile, ch10.multistage
V1_FILE = "user/Dockerfile.v1"
V2_FILE = "user/Dockerfile"

# --- the Kubernetes steps (notebooks 06-09, docs/ch10.md) -----------------------------
NAMESPACE = "ch10"                # `lab env up ch10 --provider kind` creates it
PULL_POLICY = "IfNotPresent"      # lab images are on the nodes, in no registry
TOOLBOX_IMAGE = "clabs/toolbox:1.0"
ECHO_IMAGE = "clabs/echoserver:1.0"
K8S_DIR = "kubernetes"

NOTEBOOK_PODS = "06-pods-and-deployments.ipynb"
NOTEBOOK_FRONTEND = "07-frontend-and-backend.ipynb"
NOTEBOOK_KUBECTL = "08-everyday-kubectl-and-labels.ipynb"
NOTEBOOK_ECHO = "09-echoserver-and-architecture.ipynb"
ANSWER_CELLS = {  # check id: (notebook, grade_id)
    "ch10.pod.answers": (NOTEBOOK_PODS, "ch10-pod-answers"),
    "ch10.rollout.answers": (NOTEBOOK_PODS, "ch10-rollout-answers"),
    "ch10.kubectl.answers": (NOTEBOOK_KUBECTL, "ch10-kubectl-answers"),
    "ch10.labels.answers": (NOTEBOOK_KUBECTL, "ch10-labels-answers"),
    "ch10.architecture.answers": (NOTEBOOK_ECHO, "ch10-architecture-answers"),
}

# ch10.pod: one Pod, three containers sharing the pod's network (localhost)
POD_FILE = f"{K8S_DIR}/user-service-pod.yaml"
USER_SERVICE = "user-service"     # the Pod, then the Deployment
POD_CONTAINERS = {"user": USER_V2, "mysql": DB_IMAGE, "redis": REDIS_IMAGE}
STORE_ADDRESSES = {"REDIS_ADDR": 6379, "MYSQL_ADDR": 3306}
LOCAL_HOSTS = ("localhost", "127.0.0.1")
USER_HTTP_PORT = 8080

# ch10.deployment and ch10.rollout
DEPLOYMENT_FILE = f"{K8S_DIR}/user-service-deployment.yaml"
DEPLOYMENT_V2_FILE = f"{K8S_DIR}/user-service-deployment-v2.yaml"
USER_SERVICE_LABELS = {"name": "user-service"}
REPLICAS = 3
V2_LABEL = ("version", "v2")      # the pod-template change that makes revision 2
HEAL_TIMEOUT = 120.0              # heal_timeout: the replacement of a deleted pod

# ch10.frontend (Docker)
FRONTEND_DIR = "frontend"
FRONTEND_DOCKERFILE = f"{FRONTEND_DIR}/Dockerfile"
FRONTEND_CONF = f"{FRONTEND_DIR}/nginx.conf"
FRONTEND_IMAGE = "frontend:v1"
FRONTEND_BASE = "clabs/nginx:v1"
FRONTEND_ROOT = "/frontend"
FRONTEND_CONF_TARGET = "/etc/nginx/conf.d/default.conf"
FRONTEND_MARKER = "user-service frontend"   # in labs/ch10/frontend/dist/index.html
FRONTEND_PATHS = ("/", "/login", "/assets/app.js")

# ch10.backend: in its own namespace
BACKEND_NAMESPACE = "k8sdemo"
BACKEND = "backend"               # Deployment, Service, Ingress and container
BACKEND_LABELS = {"app": "backend"}
BACKEND_VERSION_LABEL = "version"
BACKEND_IMAGE = ECHO_IMAGE        # the stand-in backend: answers on 8080
BACKEND_PORT = 8080
BACKEND_PATH = "/api"
BACKEND_FILES = {"Deployment": f"{K8S_DIR}/backend-deployment.yaml",
                 "Service": f"{K8S_DIR}/backend-service.yaml",
                 "Ingress": f"{K8S_DIR}/backend-ingress.yaml"}

# ch10.kubectl: the Secret `lab env up ch10 --provider kind` plants (grader/providers/kubelab.py)
PLANTED_SECRET = "lab-token"
PLANTED_KEY = "token"
PLANTED_FILE = "planted-value.txt"   # the student writes the decoded value here

# ch10.labels
LABELS_FILE = f"{K8S_DIR}/labelled-pods.yaml"
LABELLED_PODS = {
    "shop-frontend": {"lesson": "labels", "tier": "frontend", "release": "stable"},
    "shop-api": {"lesson": "labels", "tier": "backend", "release": "stable"},
    "shop-api-canary": {"lesson": "labels", "tier": "backend", "release": "canary"},
}

# ch10.echoserver
ECHO_FILE = f"{K8S_DIR}/echoserver.yaml"
ECHO = "echoserver"               # Deployment, Service, container
ECHO_LABELS = {"app": "echoserver"}
ECHO_PORT = 8080
ECHO_NODE_PORTS = range(30080, 30090)   # what environments/kind/cluster.yaml maps to localhost
REQUEST_TIMEOUT = 60.0            # request_timeout: a grader pod's one request

# ch10.architecture: what kube-system runs on a kubeadm cluster such as kind
CONTROL_PLANE = ("kube-apiserver", "kube-scheduler", "kube-controller-manager", "etcd")
NODE_COMPONENTS = ("kube-proxy",)
