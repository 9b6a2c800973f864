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
