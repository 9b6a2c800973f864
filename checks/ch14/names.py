"""The names the ch14 lab uses (docs/ch14.md), in one place for its checks."""

NETWORK = "ch14-lab"

NGINX_V1 = "clabs/nginx:v1"
NGINX_V2 = "clabs/nginx:v2"
NGINX_BROKEN = "clabs/nginx:broken"
WHOAMI = "clabs/whoami:1.0"

# ch14.rolling
ROLLING_FILE = "stack.yaml"
ROLLING_STACK = "web"
ROLLING_SERVICE = "web_web"
ROLLING_REPLICAS = 10
ROLLING_PARALLELISM = 2
ROLLING_DELAY = 10.0

# ch14.health
HEALTH_DOCKERFILE = "health/Dockerfile"
HEALTH_IMAGE = "health-demo:1.0"
HEALTH_FILE = "stack-health.yaml"
HEALTH_SERVICE = "myapp_web"
HEALTH_STACK_VALUES = {"interval": 5.0, "timeout": 2.0, "retries": 3, "start_period": 15.0}
HEALTH_IMAGE_VALUES = {"interval": 30.0, "timeout": 10.0, "retries": 3, "start_period": 60.0}

# ch14.rollback
ROLLBACK_FILE = "stack-rollback.yaml"
ROLLBACK_SERVICE = "shop_web"
ROLLBACK_HEALTH = {"interval": 2.0, "timeout": 2.0, "retries": 3, "start_period": 2.0}

# ch14.configs
HELLO_CONFIG = "hello-config"
HELLO_DATA = "Hello world\n"
PROPERTIES_FILE = "my-app.properties"
PROPERTIES = {"username": "pguser", "database": "products", "port": "5432",
              "dbhost": "postgres.acme.com"}
APP_CONFIG = "app.properties"
CONFIG_SERVICE = "nginx"
CONFIG_TARGET = "/etc/my-app/conf/app.properties"
CONFIG_MODE = 0o440

# ch14.secrets, ch14.dev-secrets, ch14.legacy, ch14.rotate: name → value
SECRETS = {
    "sample-secret": "sample secret value",
    "other-secret": "other secret value",
    "api-secret-key": "api-key-7f3a9c",
    "demo-secret": "demo secret value",
    "db-password": "drowssap-1",
    "db-password-v2": "drowssap-2",
}
SECRETS_SERVICE = "web"
CUSTOM_TARGET = "/run/my-secrets/api-secret-key"
DEV_SECRETS_DIR = "dev-secrets"
DEV_CONTAINER = "whoami"
LEGACY_DIR = "legacy"
LEGACY_IMAGE = "secrets-demo:1.0"
LEGACY_SERVICE = "demo"
LEGACY_CONF = "/app/whoami.conf"
PLACEHOLDER = "<<db_password_value>>"
ROTATION_SECRET = "ch14-grader-rotation"

# What the live checks read inside the running tasks of a service, read at once in the
# first check that asks (conftest.py task_files): (service, paths) as each check asks.
TASK_FILES = (
    (CONFIG_SERVICE, (CONFIG_TARGET,)),                                   # configs.mounted
    (SECRETS_SERVICE, ("/run/secrets/api-secret-key", CUSTOM_TARGET)),    # secrets.mounted
    (LEGACY_SERVICE, (LEGACY_CONF, "/proc/1/environ")),                   # legacy.replaced
    (SECRETS_SERVICE, ("/run/secrets/db-password",)),                     # rotate.service
)
