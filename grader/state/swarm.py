"""A snapshot of a swarm: services, tasks, configs, secrets and nodes, read once per
check run (a handful of API calls) and shared by every ch14 check."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


def _ns(value) -> float:
    """Swarm durations are nanoseconds; seconds for people."""
    return (value or 0) / 1e9


@dataclass
class Service:
    """The parts of ``docker service inspect`` the checks read, plus the raw attrs."""

    attrs: dict

    @property
    def id(self) -> str:
        return self.attrs["ID"]

    @property
    def name(self) -> str:
        return self.attrs["Spec"]["Name"]

    @property
    def spec(self) -> dict:
        return self.attrs["Spec"]

    @property
    def container_spec(self) -> dict:
        return self.spec["TaskTemplate"].get("ContainerSpec") or {}

    @property
    def image(self) -> str:
        """The image reference without the ``@sha256:`` pin swarm may add."""
        return self.container_spec.get("Image", "").split("@", 1)[0]

    @property
    def replicas(self) -> int | None:
        return (self.spec.get("Mode", {}).get("Replicated") or {}).get("Replicas")

    @property
    def update_config(self) -> dict:
        """UpdateConfig with swarm's defaults filled in (what the service really does)."""
        cfg = {"Parallelism": 1, "Delay": 0, "FailureAction": "pause", "Monitor": 5e9,
               "Order": "stop-first", "MaxFailureRatio": 0}
        cfg.update(self.spec.get("UpdateConfig") or {})
        return cfg

    @property
    def update_delay(self) -> float:
        return _ns(self.update_config.get("Delay"))

    @property
    def update_monitor(self) -> float:
        return _ns(self.update_config.get("Monitor"))

    @property
    def update_status(self) -> str | None:
        """``completed``, ``rollback_completed``, ``updating``, … or None (never updated)."""
        return (self.attrs.get("UpdateStatus") or {}).get("State")

    @property
    def healthcheck(self) -> dict | None:
        """Test, interval, timeout, retries and start period (seconds) of the spec."""
        hc = self.container_spec.get("Healthcheck")
        if not hc:
            return None
        return {"test": hc.get("Test") or [], "interval": _ns(hc.get("Interval")),
                "timeout": _ns(hc.get("Timeout")), "retries": hc.get("Retries"),
                "start_period": _ns(hc.get("StartPeriod"))}

    @property
    def secrets(self) -> list[dict]:
        """``[{"name", "target", "mode"}]`` of the secrets mounted into the tasks."""
        return [{"name": s.get("SecretName"), "target": (s.get("File") or {}).get("Name"),
                 "mode": (s.get("File") or {}).get("Mode")}
                for s in self.container_spec.get("Secrets") or []]

    @property
    def configs(self) -> list[dict]:
        """``[{"name", "target", "mode"}]`` of the configs mounted into the tasks."""
        return [{"name": s.get("ConfigName"), "target": (s.get("File") or {}).get("Name"),
                 "mode": (s.get("File") or {}).get("Mode")}
                for s in self.container_spec.get("Configs") or []]

    @property
    def networks(self) -> list[str]:
        """Ids or names of the networks in the task template."""
        nets = self.spec["TaskTemplate"].get("Networks") or self.spec.get("Networks") or []
        return [n.get("Target") for n in nets]

    @property
    def labels(self) -> dict:
        return self.spec.get("Labels") or {}


@dataclass
class SwarmState:
    """Everything the ch14 live checks read from the swarm, fetched once; plain data."""

    node_state: str = "inactive"
    manager: bool = False
    services: list[Service] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    configs: list[dict] = field(default_factory=list)
    secrets: list[dict] = field(default_factory=list)
    nodes: list[dict] = field(default_factory=list)
    networks: list[dict] = field(default_factory=list)

    @classmethod
    def collect(cls, client) -> SwarmState:
        """Read the swarm with one call per kind (nothing when this is no manager)."""
        api = client.api
        info = api.info().get("Swarm") or {}
        state = info.get("LocalNodeState") or "inactive"
        manager = bool(info.get("ControlAvailable"))
        snap = cls(state, manager, networks=api.networks())
        if state == "active" and manager:
            snap.services = [Service(s) for s in api.services()]
            snap.tasks = api.tasks()
            snap.configs = api.configs()
            snap.secrets = api.secrets()
            snap.nodes = api.nodes()
        return snap

    def as_dict(self) -> dict:
        return {"node_state": self.node_state, "manager": self.manager,
                "services": [s.attrs for s in self.services], "tasks": self.tasks,
                "configs": self.configs, "secrets": self.secrets, "nodes": self.nodes,
                "networks": self.networks}

    @classmethod
    def from_dict(cls, data: dict) -> SwarmState:
        return cls(data.get("node_state") or "inactive", bool(data.get("manager")),
                   [Service(a) for a in data.get("services") or []],
                   *(list(data.get(k) or []) for k in ("tasks", "configs", "secrets", "nodes",
                                                        "networks")))

    def require_manager(self) -> None:
        """An AssertionError the student can act on when there is no swarm to check."""
        assert self.node_state == "active" and self.manager, (
            f"this engine is not a swarm manager (swarm: {self.node_state}): "
            "run `lab env up ch14` first")

    @cached_property
    def _services_by_name(self) -> dict[str, Service]:
        return {s.name: s for s in self.services}

    def service(self, name: str) -> Service | None:
        """The service called ``name`` (stack services are ``<stack>_<service>``)."""
        return self._services_by_name.get(name)

    def tasks_of(self, service: Service, *, desired: str | None = "running") -> list[dict]:
        """The service's tasks, by default those swarm wants running."""
        return [t for t in self.tasks if t["ServiceID"] == service.id
                and (desired is None or t.get("DesiredState") == desired)]

    def running_tasks(self, service: Service) -> list[dict]:
        """Tasks that are running now."""
        return [t for t in self.tasks_of(service) if t["Status"]["State"] == "running"]

    @staticmethod
    def task_image(task: dict) -> str:
        return (task["Spec"].get("ContainerSpec") or {}).get("Image", "").split("@", 1)[0]

    @staticmethod
    def task_container(task: dict) -> str | None:
        return ((task.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID")

    def config(self, name: str) -> dict | None:
        return next((c for c in self.configs if c["Spec"]["Name"] == name), None)

    def secret(self, name: str) -> dict | None:
        return next((s for s in self.secrets if s["Spec"]["Name"] == name), None)

    def network_name(self, ident: str) -> str:
        """A network's name from its id (service specs hold ids)."""
        net = next((n for n in self.networks if n["Id"] == ident or n["Name"] == ident), None)
        return net["Name"] if net else ident
