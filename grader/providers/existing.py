"""The ``existing`` provider: the student's current kube context (minikube, Docker
Desktop, a classroom cluster). It never creates a cluster: ``up`` writes the lab
kubeconfig (a flattened copy of that one context, namespace set to the chapter's)
and creates the chapter's namespace, labelled, if it is absent; ``down`` deletes the
namespace only if it carries the lab's labels, and the lab kubeconfig.

The context is ``LAB_KUBE_CONTEXT`` when set, else the kubeconfig's current context.
A context that does not answer, or whose credentials expired, is one LabError line
(exit 2) before anything is created.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.errors import LabError
from grader.kube import labconfig
from grader.kube import namespace as kns
from grader.providers.base import (
    Ledger,
    Removed,
    Status,
    remove_all,
)
from grader.providers.kubelab import KubeProvider

CONTEXT_VARIABLE = "LAB_KUBE_CONTEXT"


class ExistingContext(KubeProvider):
    """A cluster the student already has, reached through their kubeconfig."""

    name = "existing"

    def context(self) -> tuple[str, dict]:
        """The context to use and the lab kubeconfig made from it (not written)."""
        doc, origin = labconfig.load()
        name = os.environ.get(CONTEXT_VARIABLE) or labconfig.current_context(doc)
        if not name:
            where = os.pathsep.join(str(p) for p in labconfig.source_paths())
            raise LabError(f"no current kube context in {where}: choose one with "
                           f"`kubectl config use-context NAME` or set {CONTEXT_VARIABLE}")
        lab = labconfig.with_namespace(labconfig.minify(doc, name, origin), self.namespace)
        return name, lab

    def _up(self, ledger: Ledger, *, progress: bool) -> list[str]:
        name, lab = self.context()
        done: list[str] = []
        if not self.kubeconfig.exists():
            ledger.about_to("kubeconfig", str(self.kubeconfig))
        wrote = labconfig.write(self.kubeconfig, lab)
        api = self._api()   # LabError, one line, when the context does not answer
        if kns.get(api, self.namespace) is None:
            ledger.about_to("namespace", self.namespace)
            kns.create(api, self.namespace, self.chapter.id, self.name)
            done.append(f"created namespace {self.namespace} in context {name}")
            done.append("the cluster runs the clabs/ images from its own image store: Docker "
                        "Desktop shares this engine's; minikube needs `minikube image load`")
        done += self.chapter_objects(api, ledger)
        if wrote:
            done.append(f"wrote {self.kubeconfig} (context {name}, namespace {self.namespace})")
        return done

    def undo(self, entries: list[dict]) -> list[str]:
        api_cache: list = []

        def remove(entry: dict) -> bool:
            if entry.get("kind") == "kubeconfig":
                labconfig.remove(Path(entry["name"]))
                return True
            if not api_cache:
                api_cache.append(self._api(timeout=3.0))
            undone = self.undo_entry(api_cache[0], entry)
            if undone is not None:
                return undone
            if entry.get("kind") == "namespace":
                return kns.delete(api_cache[0], entry["name"], self.chapter.id, self.name)
            return True

        return remove_all(entries, remove, late=self.late)

    def _down(self) -> Removed:
        """Delete the namespace if it carries the lab's labels, then the lab kubeconfig.
        Reads the ledger of an ``up`` that was killed before it could undo."""
        gone = Removed()
        ledger = self.ledger()
        entries = ledger.entries()
        if entries:
            removed = set(self.undo(entries))
            gone.namespaces += [e["name"] for e in entries
                                if e["kind"] == "namespace" and e["name"] in removed]
            ledger.clear()
        if self.kubeconfig.exists():
            # the lab kubeconfig is how we reach the cluster: kept if it does not answer
            gone.add(self.remove_chapter_objects(self._api()))
            if kns.delete(self._api(), self.namespace, self.chapter.id, self.name):
                gone.namespaces.append(self.namespace)
            labconfig.remove(self.kubeconfig)
        return gone

    def _status(self) -> Status:
        """The context's API server, its nodes, and the chapter's namespace."""
        lab = labconfig.read(self.kubeconfig)
        if lab is None:
            return Status(self.chapter.id, self.name, False,
                          f"not prepared: run `lab env up {self.chapter.id} --provider existing`")
        context = labconfig.current_context(lab)
        endpoint = labconfig.server(lab)
        try:
            objects = kns.states(self._api(timeout=3.0), self.namespace)
        except Exception as err:  # noqa: BLE001  status reports, never raises
            text = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
            return Status(self.chapter.id, self.name, False, f"context {context} does not answer",
                          endpoint=endpoint, error=text)
        ns_phase = objects[f"namespace/{self.namespace}"]
        return Status(self.chapter.id, self.name, ns_phase == "Active",
                      f"context {context}, namespace {self.namespace} {ns_phase.lower()}",
                      objects=objects, endpoint=endpoint)
