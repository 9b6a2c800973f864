"""What the Kubernetes providers share: the chapter's namespace, the lab kubeconfig and
the notebooks' parameters. Not a provider itself."""

from __future__ import annotations

import os
from pathlib import Path

from grader.kube import labconfig
from grader.providers.base import LATE_CREATION_SECONDS, Provider


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

    def params(self) -> dict:
        return {"LAB": self.chapter.id, "NAMESPACE": self.namespace,
                "KUBECONFIG": str(self.kubeconfig), "LAB_NETWORK": "",
                "DOCKER_HOST": os.environ.get("DOCKER_HOST", "")}
