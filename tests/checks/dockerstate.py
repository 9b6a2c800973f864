"""Make broken engine states from a solved one, and put them back exactly."""

from __future__ import annotations

from contextlib import contextmanager


def run_kwargs(attrs: dict) -> dict:
    """The ``containers.run`` arguments that recreate a container like ``attrs``."""
    cfg, host = attrs["Config"], attrs["HostConfig"]
    ports = {}
    for port, binds in (host.get("PortBindings") or {}).items():
        if binds:
            ports[port] = [(b.get("HostIp") or "0.0.0.0", int(b["HostPort"])) for b in binds]
    return {
        "image": cfg["Image"], "name": attrs["Name"].lstrip("/"), "detach": True,
        "environment": cfg.get("Env") or [], "labels": cfg.get("Labels") or {},
        "ports": {p: (b[0] if len(b) == 1 else b) for p, b in ports.items()},
        "command": cfg.get("Cmd"), "entrypoint": cfg.get("Entrypoint"),
        "network": next(iter(attrs["NetworkSettings"]["Networks"]), None),
        "tty": cfg.get("Tty", False), "stdin_open": cfg.get("OpenStdin", False),
    }


def networks_of(attrs: dict) -> list[str]:
    return list(attrs["NetworkSettings"]["Networks"])


@contextmanager
def replaced(client, name: str, **changes):
    """Recreate container ``name`` with ``changes`` (run() keyword arguments); on exit,
    recreate it as it was, on all its networks."""
    old = client.containers.get(name)
    attrs = old.attrs
    original = run_kwargs(attrs)
    extra_nets = networks_of(attrs)[1:]
    old.remove(force=True, v=True)
    new_kwargs = {**original, **changes}
    if new_kwargs.get("network") == "host":
        new_kwargs.pop("ports", None)
    client.containers.run(**new_kwargs)
    try:
        yield
    finally:
        client.containers.get(name).remove(force=True, v=True)
        ctr = client.containers.run(**original)
        for net in extra_nets:
            client.networks.get(net).connect(ctr)


@contextmanager
def retagged(client, ref: str, stand_in: str):
    """Point tag ``ref`` at image ``stand_in`` for a while, then back at the original."""
    original = client.images.get(ref).id
    repo, tag = ref.rsplit(":", 1)
    client.images.get(stand_in).tag(repo, tag)
    try:
        yield
    finally:
        client.images.get(original).tag(repo, tag)


@contextmanager
def stopped(client, name: str):
    """Stop container ``name`` for a while, then start it again."""
    ctr = client.containers.get(name)
    ctr.stop(timeout=5)
    try:
        yield
    finally:
        ctr.start()
