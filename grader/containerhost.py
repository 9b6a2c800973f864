"""A testinfra host inside a container whose commands run through the engine's API.

testinfra's ``docker://`` backend starts ``sh -c "docker exec NAME /bin/sh -c CMD"`` for
every command: two processes and the docker CLI's start-up, 50-100 ms each time. This
backend sends the same ``/bin/sh -c CMD`` as an exec through the Docker API client the
run already holds, and returns the same exit status, stdout and stderr; where the
engine refuses (no such container, not running), the CLI's exit status 1 and its
``Error response from daemon: ...`` line. Everything else (``host.file``,
``check_output``, ...) is testinfra's own code on top of ``run``.
"""

from __future__ import annotations

from typing import Any

from testinfra.backend.base import CommandResult
from testinfra.backend.docker import DockerBackend
from testinfra.host import Host


class ApiDockerBackend(DockerBackend):
    """testinfra's docker backend (``[user@]name``), exec'ing through ``client``."""

    def __init__(self, name: str, client, *args: Any, **kwargs: Any):
        super().__init__(name, *args, **kwargs)
        self.api = client.api

    def run(self, command: str, *args: str, **kwargs: Any) -> CommandResult:
        from docker.errors import APIError

        cmd = self.get_command(command, *args)
        try:
            exec_id = self.api.exec_create(self.name, ["/bin/sh", "-c", cmd],
                                           user=self.user or "")["Id"]
            out, err = self.api.exec_start(exec_id, demux=True)
            rc = self.api.exec_inspect(exec_id)["ExitCode"]
        except APIError as refused:  # what `docker exec` prints and exits with then
            line = f"Error response from daemon: {refused.explanation or refused}\n"
            return self.result(1, self.encode(cmd), b"", line.encode())
        return self.result(rc if rc is not None else 1, self.encode(cmd), out or b"",
                           err or b"")


def get_host(name: str, client) -> Host:
    """A testinfra Host for container ``name`` (``user@name`` runs as that user)."""
    return Host(ApiDockerBackend(name, client))
