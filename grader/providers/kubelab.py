"""What the Kubernetes providers share: the chapter's namespace, the lab kubeconfig, the
notebooks' parameters, and what a chapter adds in the cluster (ch10: the namespaces its
steps use besides its own, and the Secret its kubectl step asks about). Not a provider
itself.

A Docker chapter with Kubernetes steps (ch10: ``Chapter.cluster``) gets its cluster part
from a kube provider (``lab env up ch10 --provider kind``) on top of its own Docker
environment: ``up``, ``down``, ``status`` and ``params`` here cover both, so the student
has one environment to bring up and take down. The Docker part comes from the
registry by name (no provider imports another).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from grader import labels
from grader.kube import labconfig
from grader.kube import namespace as kns
from grader.providers.base import (
    LATE_CREATION_SECONDS,
    Ledger,
    Provider,
    Removed,
    Status,
)

# The Secret a chapter's environment plants for its kubectl step, with a value made
# up per student when the cluster part comes up: chapter → (secret, key). Its answer
# is checked against the cluster, so no answer key for it ships in the repository.
PLANTED = {"ch10": ("lab-token", "token")}
PLANTED_LABEL = "org.container-labs.planted"


class KubeProvider(Provider):
    """A provider whose chapter runs in a namespace of a Kubernetes cluster."""

    family = "kube"
    late = LATE_CREATION_SECONDS   # how long undo looks for a cut-off creation

    @property
    def namespace(self) -> str:
        return self.chapter.namespace or self.chapter.id

    @property
    def kubeconfig(self) -> Path:
        """The lab kubeconfig: one context, its namespace the chapter's."""
        return labconfig.path(self.chapter.id)

    def _api(self, timeout: float = 5.0):
        from grader.kube.client import api_client
        return api_client(kubeconfig=str(self.kubeconfig), timeout=timeout)

    # -- a Docker chapter's cluster part (ch10) ------------------------------------------

    def companion(self) -> Provider | None:
        """The chapter's own Docker environment when the cluster is only a part of it
        (ch10); None for a Kubernetes chapter."""
        from grader import providers
        if providers.FAMILIES.get(self.chapter.provider) == "kube":
            return None
        return providers.load(self.chapter.provider)(self.chapter, self._client)

    def up(self, *, progress: bool = True) -> list[str]:
        other = self.companion()
        done = other.up(progress=progress) if other else []
        return done + super().up(progress=progress)

    def down(self) -> Removed:
        other = self.companion()
        try:
            gone = self._down()
        finally:   # the Docker part goes even when the cluster cannot be reached
            docker = other.down() if other else Removed()
        return gone.add(docker)

    def _down(self) -> Removed:
        raise NotImplementedError

    def status(self) -> Status:
        mine = self._status()
        other = self.companion()
        if other is None:
            return mine
        docker = other.status()
        return Status(mine.chapter, mine.provider, mine.up and docker.up,
                      f"{mine.summary}; {docker.summary}", network=docker.network,
                      objects={**docker.objects, **mine.objects},
                      missing_images=sorted({*mine.missing_images, *docker.missing_images}),
                      endpoint=mine.endpoint, error=mine.error or docker.error)

    def _status(self) -> Status:
        raise NotImplementedError

    def params(self) -> dict:
        found = {"LAB": self.chapter.id, "NAMESPACE": self.namespace,
                 "KUBECONFIG": str(self.kubeconfig), "LAB_NETWORK": "",
                 "DOCKER_HOST": os.environ.get("DOCKER_HOST", "")}
        other = self.companion()
        if other is not None:   # ch10's notebooks use the lab network too
            found.update({k: v for k, v in other.params().items() if v})
        return found

    # -- what a chapter adds in the cluster ------------------------------------------------

    def chapter_objects(self, api, ledger: Ledger) -> list[str]:
        """Create the chapter's other namespaces (labelled, if absent) and its planted
        Secret (if absent: its value stays what the student already read)."""
        done = []
        for name in self.chapter.cluster_namespaces:
            if kns.get(api, name) is None:
                ledger.about_to("namespace", name)
                kns.create(api, name, self.chapter.id, self.name)
                done.append(f"created namespace {name}")
        if self.chapter.id in PLANTED:
            name, key = PLANTED[self.chapter.id]
            if planted_secret(api, self.namespace, name) is None:
                ledger.about_to("secret", name, namespace=self.namespace)
                plant_secret(api, self.namespace, name, key,
                             {**labels.lab_labels(self.chapter.id, self.name), PLANTED_LABEL: "1"})
                done.append(f"planted Secret {name} in namespace {self.namespace} (its value "
                            "is yours: notebook 08 asks for it)")
        return done

    def remove_chapter_objects(self, api) -> Removed:
        """Delete the planted Secret and the chapter's other namespaces, each only if it
        carries the lab's labels."""
        gone = Removed()
        if self.chapter.id in PLANTED:
            name = PLANTED[self.chapter.id][0]
            if delete_planted(api, self.namespace, name, self.chapter.id):
                gone.secrets.append(f"{self.namespace}/{name}")
        for name in self.chapter.cluster_namespaces:
            if kns.delete(api, name, self.chapter.id, self.name):
                gone.namespaces.append(name)
        return gone

    def undo_entry(self, api, entry: dict) -> bool | None:
        """Undo a ledger entry this module recorded (a planted Secret); None for the
        entries the provider itself knows."""
        if entry.get("kind") != "secret":
            return None
        return delete_planted(api, entry.get("namespace") or self.namespace, entry["name"],
                              self.chapter.id)


def _secret_path(namespace: str, name: str = "") -> str:
    return f"/api/v1/namespaces/{namespace}/secrets" + (f"/{name}" if name else "")


def planted_secret(api, namespace: str, name: str) -> dict | None:
    """The Secret as the server returns it, None when it does not exist."""
    from grader.kube.client import http_error, request

    status, body = request(api, "GET", _secret_path(namespace, name))
    if status == 404:
        return None
    if status != 200:
        raise http_error(api, status, body, f"read secret {name}")
    return json.loads(body)


def plant_secret(api, namespace: str, name: str, key: str, with_labels: dict) -> str:
    """Create Secret ``name`` whose ``key`` holds a new random value; returns the value."""
    from grader.kube.client import http_error, request

    value = f"ct-{secrets.token_hex(6)}"
    body = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace, "labels": with_labels},
            "data": {key: base64.b64encode(value.encode()).decode()}}
    status, answer = request(api, "POST", _secret_path(namespace), body=body)
    if status not in (200, 201, 202, 409):
        raise http_error(api, status, answer, f"create secret {name}")
    return value


def delete_planted(api, namespace: str, name: str, chapter_id: str) -> bool:
    """Delete Secret ``name`` if the lab planted it; True when it was deleted."""
    from grader.kube.client import http_error, request

    obj = planted_secret(api, namespace, name)
    found = ((obj or {}).get("metadata") or {}).get("labels") or {}
    if obj is None or found.get(labels.LAB) != chapter_id or found.get(PLANTED_LABEL) != "1":
        return False
    status, answer = request(api, "DELETE", _secret_path(namespace, name))
    if status == 404:
        return False
    if status not in (200, 202):
        raise http_error(api, status, answer, f"delete secret {name}")
    return True
