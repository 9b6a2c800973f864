"""The ``kind`` provider: a kind cluster made for the labs, the chapter's images loaded
into its node, an ingress controller, and the chapter's namespace.

``up`` (idempotent; every creation recorded in the ledger first):

1. ``kind get clusters``; without a cluster ``container-labs``: ``kind create cluster
   --name container-labs --config environments/kind/cluster.yaml --wait 120s``, and a
   marker in the cache says the lab created it (``LAB_KIND_IMAGE`` adds ``--image``:
   another node image, e.g. for an engine with cgroup v1);
2. the lab kubeconfig (:mod:`grader.kube.labconfig`) from ``kind get kubeconfig``;
3. missing lab images built, the images the chapter's pods run loaded into the node
   with ``kind load docker-image`` (no registry; loaded image IDs are remembered), and
   the ingress controller's image too when this engine has it (offline classrooms);
4. ``environments/kind/ingress-nginx.yaml`` applied with kubectl, then waited for;
5. the chapter's namespace, labelled (:mod:`grader.kube.namespace`).

``down`` deletes the namespace if the lab made it, and the cluster if the lab made it
and no other chapter still uses it; then the lab kubeconfig and the markers.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from grader.chapters import ROOT
from grader.errors import LabError
from grader.kube import labconfig
from grader.kube import namespace as kns
from grader.providers.base import (
    Ledger,
    Removed,
    Status,
    remove_all,
)
from grader.providers.kindtools import kind_binary, kubectl_binary, run_tool
from grader.providers.kubelab import KubeProvider

CLUSTER = "container-labs"
CONTEXT = f"kind-{CLUSTER}"
KIND_DIR = ROOT / "environments" / "kind"
CONFIG = KIND_DIR / "cluster.yaml"
INGRESS = KIND_DIR / "ingress-nginx.yaml"
INGRESS_NAMESPACE = "ingress-nginx"
INGRESS_DEPLOYMENT = "ingress-nginx-controller"
CREATE_WAIT = "120s"
INGRESS_WAIT = "180s"
# images that only serve as build stages or bases: no pod runs them
BUILD_ONLY = frozenset({"clabs/debian:bookworm", "clabs/golang:1.19"})


def pod_images(chapter_id: str) -> list[str]:
    """The lab images the chapter's pods run: those listed for the chapter in
    images.toml, without the build-only bases."""
    from grader import images
    return [s.name for s in images.images_for(chapter_id)
            if chapter_id in s.chapters and s.name not in BUILD_ONLY]


def controller_image() -> str:
    """The ingress controller's image, as ingress-nginx.yaml names it."""
    import yaml

    for doc in yaml.safe_load_all(INGRESS.read_text()):
        if doc and doc.get("kind") == "Deployment":
            return doc["spec"]["template"]["spec"]["containers"][0]["image"]
    raise LabError(f"{INGRESS} has no Deployment")


class Marker:
    """What the lab knows about the cluster: whether it created it, which chapters use
    it, which image IDs it loaded into it. One JSON file in the cache."""

    def __init__(self, created: bool = False, chapters: list[str] | None = None,
                 images: dict[str, str] | None = None):
        self.created = created
        self.chapters = chapters or []
        self.images = images or {}

    @staticmethod
    def path() -> Path:
        return labconfig.env_dir() / f"kind-{CLUSTER}.json"

    @classmethod
    def load(cls) -> Marker | None:
        try:
            data = json.loads(cls.path().read_text())
        except (FileNotFoundError, ValueError):
            return None
        return cls(bool(data.get("created")), list(data.get("chapters") or []),
                   dict(data.get("images") or {}))

    def save(self) -> None:
        self.path().parent.mkdir(parents=True, exist_ok=True)
        self.path().write_text(json.dumps({"cluster": CLUSTER, "created": self.created,
                                           "chapters": self.chapters, "images": self.images}))

    @classmethod
    def remove(cls) -> None:
        cls.path().unlink(missing_ok=True)


class KindCluster(KubeProvider):
    """A kind cluster named ``container-labs``, shared by the Kubernetes chapters."""

    name = "kind"

    # -- kind and the cluster ----------------------------------------------------------

    def clusters(self) -> list[str]:
        """``kind get clusters``: the names of the kind clusters on this engine."""
        out = run_tool([kind_binary(), "get", "clusters"], "kind get clusters", timeout=30)
        return [ln.strip() for ln in out.splitlines()
                if ln.strip() and not ln.startswith("No kind clusters")]

    def _kubeconfig_doc(self) -> dict:
        """The cluster's kubeconfig from kind, minified to its context, namespace set."""
        text = run_tool([kind_binary(), "get", "kubeconfig", "--name", CLUSTER],
                        f"kind get kubeconfig --name {CLUSTER}", timeout=30)
        doc = labconfig.parse(text, f"the kubeconfig of kind cluster {CLUSTER}")
        return labconfig.with_namespace(labconfig.minify(doc, CONTEXT), self.namespace)

    def _kubectl(self, *args: str, what: str, timeout: float = 60, progress: bool = False) -> str:
        return run_tool([kubectl_binary(), "--kubeconfig", str(self.kubeconfig), *args], what,
                        timeout=timeout, progress=progress)

    def _ingress_ready(self, api) -> bool:
        """Whether the ingress controller's Deployment exists and is available."""
        from grader.kube.client import http_error, request

        path = f"/apis/apps/v1/namespaces/{INGRESS_NAMESPACE}/deployments/{INGRESS_DEPLOYMENT}"
        status, body = request(api, "GET", path)
        if status == 404:
            return False
        if status != 200:
            raise http_error(api, status, body, f"read deployment {INGRESS_DEPLOYMENT}")
        return (json.loads(body).get("status") or {}).get("availableReplicas", 0) >= 1

    def _to_load(self, client, marker: Marker) -> dict[str, str]:
        """Images to load into the node, name → ID: the chapter's pod images, and the
        ingress controller's image when this engine has it (an offline classroom
        `docker load`s it; otherwise the node pulls it), each unless that very ID was
        loaded before."""
        import docker.errors

        wanted = {}
        for name in [*pod_images(self.chapter.id), controller_image()]:
            try:
                image_id = client.api.inspect_image(name)["Id"]
            except docker.errors.ImageNotFound:
                continue
            if marker.images.get(name) != image_id:
                wanted[name] = image_id
        return wanted

    # -- the interface -----------------------------------------------------------------

    def _up(self, ledger: Ledger, *, progress: bool) -> list[str]:
        from grader import images

        kind = kind_binary()
        client = images.docker_client(self._client)  # kind's nodes are this engine's containers
        done: list[str] = []
        marker = Marker.load()
        if CLUSTER not in self.clusters():
            ledger.about_to("cluster", CLUSTER)
            node_image = os.environ.get("LAB_KIND_IMAGE")
            image = ["--image", node_image] if node_image else []
            run_tool([kind, "create", "cluster", "--name", CLUSTER, "--config", str(CONFIG),
                      *image, "--wait", CREATE_WAIT], f"creating kind cluster {CLUSTER}",
                     timeout=600, progress=progress)
            marker = Marker(created=True)
            marker.save()
            done.append(f"created kind cluster {CLUSTER} (context {CONTEXT})")
        elif marker is None:
            marker = Marker(created=False)   # the student's own cluster of that name
            marker.save()

        if not self.kubeconfig.exists():
            ledger.about_to("kubeconfig", str(self.kubeconfig))
        wrote = labconfig.write(self.kubeconfig, self._kubeconfig_doc())

        need = images.missing(images.images_for(self.chapter.id), client)
        if need:
            images.build([s.name for s in need], client=client, progress=progress)
            done.append(f"built {len(need)} image(s): " + ", ".join(s.name for s in need))
        load = self._to_load(client, marker)
        if load:
            run_tool([kind, "load", "docker-image", "--name", CLUSTER, *load],
                     f"loading {len(load)} image(s) into {CLUSTER}", timeout=900,
                     progress=progress)
            marker.images.update(load)
            marker.save()
            done.append(f"loaded {len(load)} image(s) into {CLUSTER}: " + ", ".join(load))

        api = self._api()
        if not self._ingress_ready(api):
            ledger.about_to("ingress", INGRESS_DEPLOYMENT)
            self._kubectl("apply", "-f", str(INGRESS), what="applying the ingress controller")
            self._kubectl("wait", "--namespace", INGRESS_NAMESPACE, "--for=condition=Available",
                          f"deployment/{INGRESS_DEPLOYMENT}", f"--timeout={INGRESS_WAIT}",
                          what="waiting for the ingress controller", timeout=240,
                          progress=progress)
            done.append("installed the ingress-nginx controller (ready on localhost:80/443)")

        if kns.get(api, self.namespace) is None:
            ledger.about_to("namespace", self.namespace)
            kns.create(api, self.namespace, self.chapter.id, self.name)
            done.append(f"created namespace {self.namespace}")
        done += self.chapter_objects(api, ledger)
        if self.chapter.id not in marker.chapters:
            marker.chapters.append(self.chapter.id)
            marker.save()
        if wrote:
            done.append(f"wrote {self.kubeconfig} (context {CONTEXT}, namespace {self.namespace})")
        return done

    def undo(self, entries: list[dict]) -> list[str]:
        cluster_going = any(e.get("kind") == "cluster" for e in entries)
        api_cache: list = []

        def api():
            if not api_cache:
                api_cache.append(self._api(timeout=3.0))
            return api_cache[0]

        def remove(entry: dict) -> bool:
            kind = entry.get("kind")
            if kind == "cluster":
                run_tool([kind_binary(), "delete", "cluster", "--name", entry["name"]],
                         f"deleting kind cluster {entry['name']}", timeout=180)
                Marker.remove()
                return True
            if kind == "kubeconfig":
                labconfig.remove(Path(entry["name"]))
                return True
            if cluster_going:
                return True   # the namespace and the controller go with the cluster
            undone = self.undo_entry(api(), entry)
            if undone is not None:
                return undone
            if kind == "namespace":
                return kns.delete(api(), entry["name"], self.chapter.id, self.name)
            if kind == "ingress":
                self._kubectl("delete", "-f", str(INGRESS), "--ignore-not-found", "--wait=false",
                              what="removing the ingress controller")
                return True
            return True

        return remove_all(entries, remove, late=self.late)

    def _down(self) -> Removed:
        """Delete the namespace if the lab made it, the cluster if the lab made it and no
        other chapter uses it, the lab kubeconfig and the markers; nothing else. An
        ``up`` killed before it could undo is taken back from its ledger first."""
        gone = Removed()
        ledger = self.ledger()
        entries = ledger.entries()
        marker = Marker.load()
        if entries:
            kind_binary()
            removed = set(self.undo(entries))
            for e in entries:
                if e["name"] in removed and e["kind"] == "cluster":
                    gone.clusters.append(e["name"])
                if e["name"] in removed and e["kind"] == "namespace":
                    gone.namespaces.append(e["name"])
            ledger.clear()
            marker = Marker.load()
        if marker is None and not shutil.which("kind"):
            labconfig.remove(self.kubeconfig)
            return gone   # kind never ran here: nothing of ours can exist
        kind_binary()
        if CLUSTER not in self.clusters():
            Marker.remove()
            labconfig.remove(self.kubeconfig)
            return gone
        marker = marker or Marker(created=False)
        others = [c for c in marker.chapters if c != self.chapter.id]
        if marker.created and not others:
            try:   # only to say whether the namespace goes with it: the cluster goes anyway
                ns = kns.get(self._api(timeout=3.0), self.namespace)
            except LabError:
                ns = None
            run_tool([kind_binary(), "delete", "cluster", "--name", CLUSTER],
                     f"deleting kind cluster {CLUSTER}", timeout=180)
            gone.clusters.append(CLUSTER)
            if kns.owned(ns, self.chapter.id, self.name):
                gone.namespaces.append(self.namespace)
            Marker.remove()
        else:
            labconfig.write(self.kubeconfig, self._kubeconfig_doc())
            gone.add(self.remove_chapter_objects(self._api()))
            if kns.delete(self._api(), self.namespace, self.chapter.id, self.name):
                gone.namespaces.append(self.namespace)
            marker.chapters = others
            marker.save()
            if others:
                gone.notes.append(f"kind cluster {CLUSTER} kept: {', '.join(others)} still "
                                  f"use{'s' if len(others) == 1 else ''} it")
            elif not marker.created:
                gone.notes.append(f"kind cluster {CLUSTER} kept: the lab did not create it")
        labconfig.remove(self.kubeconfig)
        return gone

    def _status(self) -> Status:
        """The cluster, its nodes, the ingress controller and the chapter's namespace."""
        def state(up: bool, summary: str, **kw) -> Status:
            return Status(self.chapter.id, self.name, up, summary, **kw)

        try:
            if CLUSTER not in self.clusters():
                return state(False, f"no kind cluster {CLUSTER}: run `lab env up {self.chapter.id}`")
        except LabError as err:
            return state(False, "kind cluster unknown", error=str(err))
        objects = {f"cluster/{CLUSTER}": "exists"}
        if not self.kubeconfig.exists():
            return state(False, f"cluster {CLUSTER} exists; {self.chapter.id} not prepared: run "
                         f"`lab env up {self.chapter.id}`", objects=objects)
        endpoint = labconfig.server(labconfig.read(self.kubeconfig) or {})
        try:
            api = self._api(timeout=3.0)
            objects[f"deployment/{INGRESS_DEPLOYMENT}"] = \
                "available" if self._ingress_ready(api) else "not available"
            objects.update(kns.states(api, self.namespace))
        except Exception as err:  # noqa: BLE001  LabError, or the API failing half-way
            return state(False, f"cluster {CLUSTER} does not answer", objects=objects,
                         endpoint=endpoint, error=_one_line(err))
        ns_phase = objects[f"namespace/{self.namespace}"]
        marker = Marker.load() or Marker()
        missing = [n for n in pod_images(self.chapter.id) if n not in marker.images]
        ready = all(v.startswith("Ready") for k, v in objects.items() if k.startswith("node/"))
        up = ready and ns_phase == "Active" and \
            objects[f"deployment/{INGRESS_DEPLOYMENT}"] == "available"
        summary = (f"kind cluster {CLUSTER}, namespace {self.namespace} {ns_phase.lower()}"
                   + ("" if ready else "; a node is not ready"))
        return state(up, summary, objects=objects, missing_images=missing, endpoint=endpoint)


def _one_line(err: Exception) -> str:
    text = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
    return text if isinstance(err, LabError) else f"{type(err).__name__}: {text}"
