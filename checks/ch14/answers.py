"""The ch14 answer key. Notebooks grade against it through ``grader.answers.grade``;
``lab check`` reads the student's answer cell and compares the same way."""

from grader.answers import CommandAnswer, ValueAnswer

# Flags that may accompany a service update without changing what it asks for.
_UPDATE_EXTRAS = frozenset({"--detach", "--quiet", "--with-registry-auth", "--no-resolve-image"})


def _rotations(service: str, old: str, new: str) -> tuple[str, ...]:
    """The same rotation with the --secret-add fields in another order or spelling."""
    return tuple(f"docker service update --secret-rm {old} --secret-add {fields} {service}"
                 for fields in (f"target={old},source={new}", f"src={new},target={old}",
                               f"target={old},src={new}"))


EXPECTED = {
    "ch14.strategies.answers": {
        "BUILT_IN_STRATEGY": ValueAnswer(
            "rolling", hint="the strategy the update_config section of a stack file "
                            "configures; write one of rolling, blue-green, canary"),
        "INSTANT_ROLLBACK_STRATEGY": ValueAnswer(
            "blue-green", hint="in which strategy do two complete versions run side by side "
                               "until one switch moves all traffic?"),
        "METRICS_DRIVEN_STRATEGY": ValueAnswer(
            "canary", hint="the strategy that tries the new version on a small share of real "
                           "traffic first, and lets the metrics decide"),
        "LOAD_BALANCER": ValueAnswer(
            "IPVS", hint="the kernel's layer-4 load balancer behind a service's virtual IP "
                         "(the ip_vs module the routing mesh needs)"),
        "TASKS_DNS_NAME": ValueAnswer(
            "tasks.web_web", hint="Swarm's DNS name with one address record per task: a "
                                  "prefix, a dot, then the full service name"),
        "MAX_TASKS_DOWN": ValueAnswer(
            2, hint="with stop-first, a batch stops its old tasks before their "
                    "replacements run: how many tasks does one batch hold?"),
    },
    "ch14.configs.answers": {
        "HELLO_CONFIG_DATA": ValueAnswer(
            "SGVsbG8gd29ybGQK", exact=True,  # base64: another case is other bytes
            hint="copy the Data field under Spec from "
                 "`docker config inspect hello-config` (base64, as shown)"),
        "REMOVE_FIRST_COMMAND": CommandAnswer(
            "docker service rm nginx", alternatives=("docker service remove nginx",),
            hint="the config is in use: remove what uses it (the whole command)"),
        "MAX_CONFIG_SIZE_KB": ValueAnswer(
            500, hint="the size limit of a config (or a secret) in Swarm, in kilobytes"),
        "CONFIGS_ENCRYPTED_AT_REST": ValueAnswer(
            False, hint="compare configs with secrets: which of the two does Swarm encrypt "
                        "in its Raft log? (True or False)"),
    },
    "ch14.questions.answers": {
        "INVENTORY_UPDATE": CommandAnswer(
            "docker service update --image acme/inventory:2.1 --update-parallelism 2 "
            "--update-delay 1m inventory",
            alternatives=(
                "docker service update --image acme/inventory:2.1 --update-parallelism 2 "
                "--update-delay 60s inventory",
                "docker service update --image acme/inventory:2.1 --update-parallelism 2 "
                "--update-delay 1m0s inventory",
            ),
            allow_extra=_UPDATE_EXTRAS,
            hint="one `docker service update` of inventory with the new image, the batch "
                 "size (--update-parallelism) and the pause between batches (--update-delay)"),
        "INVENTORY_ROTATION": CommandAnswer(
            "docker service update --secret-rm MYSQL_PASSWORD "
            "--secret-add source=MYSQL_PASSWORD_V2,target=MYSQL_PASSWORD inventory",
            alternatives=_rotations("inventory", "MYSQL_PASSWORD", "MYSQL_PASSWORD_V2"),
            allow_extra=_UPDATE_EXTRAS,
            hint="one `docker service update` of inventory that removes the old secret and "
                 "adds the new one in the long form, keeping the file name the program reads"),
        "DEFAULT_UPDATE_ORDER": ValueAnswer(
            "stop-first", hint="one of the two values of --update-order: the one Swarm uses "
                               "when nothing is set"),
        "SECONDS_TO_UNHEALTHY": ValueAnswer(
            8, hint="start_period + retries x interval, with the values of stack-rollback.yaml"),
        "WEB_BATCHES": ValueAnswer(
            5, hint="replicas divided by parallelism"),
        "SECRETS_DIRECTORY": ValueAnswer(
            "/run/secrets", exact=True, alternatives=("/run/secrets/",),  # paths: case matters
            hint="the folder where `--secret NAME` puts the file NAME in the "
                                 "container (an absolute path)"),
        "SECRETS_FILESYSTEM": ValueAnswer(
            "tmpfs", hint="the in-memory file system `mount` shows for a secret file inside "
                          "the container"),
    },
}
