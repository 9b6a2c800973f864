"""The names the ch16 lab uses (docs/ch16.md), in one place for its checks."""

NAMESPACE = "ch16"
PULL_POLICY = "IfNotPresent"
WEB_IMAGE = "clabs/pets-web:2.0"
WEB_IMAGE_V2 = "clabs/pets-web:2.1"
POSTGRES_IMAGE = "clabs/postgres:15"
PROBES_IMAGE = "clabs/probes-demo:2.0"
TOOLBOX_IMAGE = "clabs/toolbox:1.0"
LOADGEN_IMAGE = "clabs/loadgen:1.0"
# what "/" of clabs/pets-web answers (environments/images/pets-web)
WEB_TITLE = "Pets Demo Application"
WEB_TITLE_V2 = "Pets Demo Application v2"

# notebooks, and the answer cell of each concept step
NOTEBOOK_DEPLOY = "01-deploy-the-pets-app.ipynb"
NOTEBOOK_PROBES = "02-probes.ipynb"
NOTEBOOK_UPDATES = "03-rolling-and-blue-green.ipynb"
NOTEBOOK_SECRETS = "04-secrets.ipynb"
ANSWER_CELLS = {  # check id: (notebook, grade_id)
    "ch16.web.answers": (NOTEBOOK_DEPLOY, "ch16-web-answers"),
    "ch16.liveness.answers": (NOTEBOOK_PROBES, "ch16-liveness-answers"),
    "ch16.readiness.answers": (NOTEBOOK_PROBES, "ch16-readiness-answers"),
    "ch16.startup.answers": (NOTEBOOK_PROBES, "ch16-startup-answers"),
    "ch16.rolling.answers": (NOTEBOOK_UPDATES, "ch16-rolling-answers"),
    "ch16.blue-green.answers": (NOTEBOOK_UPDATES, "ch16-blue-green-answers"),
    "ch16.secret-yaml.answers": (NOTEBOOK_SECRETS, "ch16-secret-yaml-answers"),
    "ch16.secret-cli.answers": (NOTEBOOK_SECRETS, "ch16-secret-cli-answers"),
    "ch16.secret-env.answers": (NOTEBOOK_SECRETS, "ch16-secret-env-answers"),
}

# ch16.web
WEB_DEPLOYMENT_FILE = "web-deployment.yaml"
WEB_SERVICE_FILE = "web-service.yaml"
WEB = "web"                       # Deployment, Service and container
WEB_LABELS = {"app": "pets", "service": "web"}
WEB_PORT = 3000
NODE_PORTS = (30000, 32767)
COLOR = "color"                   # the label blue-green adds to the service's selector

# ch16.db
DB_STATEFULSET_FILE = "db-stateful-set.yaml"
DB_SERVICE_FILE = "db-service.yaml"
DB = "db"                         # StatefulSet, Service and container
DB_LABELS = {"app": "pets", "service": "db"}
DB_PORT = 5432
DB_POD = "db-0"
DB_VOLUME = "pets-data"
DB_CLAIM = "pets-data-db-0"
DB_CLAIM_SIZE = "100Mi"
DB_MOUNT = "/var/lib/postgresql/data"

# ch16.one-file: the four objects of pets.yaml, in order
PETS_FILE = "pets.yaml"
REMOVE_SCRIPT = "remove-pets.sh"
PETS_OBJECTS = (("Deployment", "web"), ("Service", "web"), ("StatefulSet", "db"), ("Service", "db"))
PETS_PARTS = {("Deployment", "web"): WEB_DEPLOYMENT_FILE, ("Service", "web"): WEB_SERVICE_FILE,
              ("StatefulSet", "db"): DB_STATEFULSET_FILE, ("Service", "db"): DB_SERVICE_FILE}

# ch16.liveness, ch16.readiness, ch16.startup: probes/<name>.yaml holds Pod <name>
PROBES_DIR = "probes"
LIVENESS_PODS = ("liveness-exec", "liveness-http", "liveness-tcp")
PROBES_DEMO = "probes-demo"
READINESS_POD = "readiness"
READINESS_DEMO = "readiness-demo"
STARTUP_POD = "startup"
STARTUP_BUDGET = 150              # seconds: failureThreshold x periodSeconds at least
# programs clabs/postgres:15 does not have (Debian's postgresql-15 on bookworm): the
# source's exec probe runs `nc` (erratum 5), which is not there
POSTGRES_LACKS = ("nc", "netcat", "ncat", "nc.openbsd", "curl", "wget", "telnet")
SHELLS = ("sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash")

# ch16.rolling and ch16.blue-green
ROLLING_FILE = "web-deploy-rolling-v1.yaml"
ROLLING_REPLICAS = 5
BLUE_FILE = "web-deploy-blue.yaml"
GREEN_FILE = "web-deploy-green.yaml"
BLUE_GREEN_SERVICE_FILE = "web-svc-blue-green.yaml"
COLORS = {"blue": ("web-blue", WEB_IMAGE), "green": ("web-green", WEB_IMAGE_V2)}
LIVE_COLOR = "green"              # after the switch of step 8
BLUE_GREEN_REPLICAS = 2
# the label the grader gives web's pods while it drives traffic at them
TRAFFIC_LABEL = "org.container-labs.grader-traffic"

# ch16.secret-*
SECRET_FILE = "pets-secret.yaml"
SECRET = "pets-secret"
SECRET_VALUES = {"username": "john.doe", "password": "sEcret-pasSw0rD"}
SECRET_FILES_DIR = "secret-files"
PROD_SECRET = "pets-secret-prod"
PROD_VALUES = {"username": "sue-hunter", "password": "123abc456def"}
SECRET_VOLUME_FILE = "web-deploy-secret.yaml"
SECRET_VOLUME_DEPLOYMENT = "web-secret"
SECRET_VOLUME = "secrets"
SECRET_MOUNT = "/etc/secrets"
SECRET_ENV_FILE = "web-deploy-secret-env.yaml"
SECRET_ENV_DEPLOYMENT = "web-secret-env"
SECRET_ENV = {"PETS_USERNAME": "username", "PETS_PASSWORD": "password"}
PROGRAM = "pets-web"              # the process inside clabs/pets-web (FROM scratch)

# behaviour checks: --param NAME=seconds
REQUEST_TIMEOUT = 60.0            # request_timeout: a grader pod's one request
ROLLOUT_TIMEOUT = 180.0           # rollout_timeout: each rollout of web
RESTART_MARGIN = 60.0             # restart_timeout: added to the kubelet's back-off
RESTART_BACKOFF = 300.0           # restart_backoff: the kubelet's longest crash-loop back-off
HOLD = 3.0                        # hold: traffic kept on each colour / after a rollout
WARMUP = 60.0                     # warmup: the traffic pod's first answer
INSIDE_TIMEOUT = 120.0            # inside_timeout: the grader's copy of a pod
