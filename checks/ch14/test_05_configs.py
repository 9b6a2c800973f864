"""ch14.configs: configuration data kept by the swarm and mounted into tasks as files."""

import base64

from checks.ch14 import names as n
from grader.checkkit import answers, check

NOTEBOOK = "03-configs.ipynb"


def _data(cfg: dict) -> str:
    return base64.b64decode(cfg["Spec"].get("Data") or "").decode(errors="replace")


@check("ch14.configs.hello", "Config hello-config holds `Hello world`", points=1,
       layer="live",
       hint='echo "Hello world" | docker config create --label "$LAB_LABEL" hello-config -')
def test_hello_config(swarm):
    swarm.require_manager()
    cfg = swarm.config(n.HELLO_CONFIG)
    assert cfg, f"no config {n.HELLO_CONFIG}"
    assert _data(cfg) == n.HELLO_DATA, f"{n.HELLO_CONFIG} holds {_data(cfg)!r}"


def _properties(text: str) -> dict:
    pairs = (line.split("=", 1) for line in text.splitlines()
             if "=" in line and not line.lstrip().startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


@check("ch14.configs.properties", "my-app.properties and config app.properties hold the "
       "four settings", points=2, layer="live",
       hint="my-app.properties: username=pguser, database=products, port=5432, "
            "dbhost=postgres.acme.com; then docker config create --label \"$LAB_LABEL\" "
            "app.properties ./my-app.properties")
def test_properties(lab, swarm):
    text = lab.require(n.PROPERTIES_FILE).read_text()
    assert _properties(text) == n.PROPERTIES, \
        f"{n.PROPERTIES_FILE} says {_properties(text)}"
    swarm.require_manager()
    cfg = swarm.config(n.APP_CONFIG)
    assert cfg, f"no config {n.APP_CONFIG}"
    assert _properties(_data(cfg)) == n.PROPERTIES, \
        f"config {n.APP_CONFIG} differs from {n.PROPERTIES_FILE}: {_properties(_data(cfg))}"


@check("ch14.configs.mounted", "Service nginx mounts app.properties at "
       "/etc/my-app/conf/app.properties, mode 0440", points=3, layer="live",
       hint="docker service create --name nginx --label \"$LAB_LABEL\" --network ch14-lab "
            "--config source=app.properties,target=/etc/my-app/conf/app.properties,"
            "mode=0440 clabs/nginx:v1")
def test_config_mounted(service_of, task_files):
    svc = service_of(n.CONFIG_SERVICE)
    refs = [c for c in svc.configs if c["name"] == n.APP_CONFIG]
    assert refs, f"{svc.name} mounts no config {n.APP_CONFIG}"
    ref = refs[0]
    assert ref["target"] == n.CONFIG_TARGET, f"{n.APP_CONFIG} is mounted at {ref['target']}"
    assert ref["mode"] == n.CONFIG_MODE, f"{n.APP_CONFIG} has mode {oct(ref['mode'] or 0)}"
    tasks = task_files(svc, n.CONFIG_TARGET)  # every running task, on whichever node it runs
    assert tasks, f"{svc.name} has no running task to look into"
    for ctr, files in tasks:
        found = files[n.CONFIG_TARGET]
        assert found, f"{n.CONFIG_TARGET} is missing inside the task on {ctr.where}"
        mode, text = found
        assert mode == n.CONFIG_MODE, f"inside the task on {ctr.where} the file has mode {oct(mode)}"
        assert _properties(text) == n.PROPERTIES, \
            f"inside the task on {ctr.where} the file says {text[:120]!r}"


@check("ch14.configs.answers", "Config questions answered", points=2, layer="static",
       hint=f"Answer the questions in {NOTEBOOK} (the cell after the config demos).")
def test_configs_answers(lab):
    answers.require_right(lab.require(NOTEBOOK), "ch14-configs-answers", "ch14.configs.answers")
