"""ch16.one-file: the four objects of the pets app in one pets.yaml (documents separated by
---), and remove-pets.sh, which deletes exactly those four and leaves the database's
claim (and with it the data)."""

from checks.ch16 import names as n
from grader.checkkit import check, kube_object, manifests, subset
from grader.kubectl import KubectlError, parse, script_commands


def _title(obj: dict) -> str:
    return f"{obj.get('kind')} {(obj.get('metadata') or {}).get('name')}"


def _differences(mine: dict, theirs: dict) -> list[str]:
    """How two objects differ in what the checks read: apiVersion, labels and spec."""
    def part(o: dict) -> dict:
        return {"apiVersion": o.get("apiVersion"),
                "metadata": {"labels": (o.get("metadata") or {}).get("labels") or {}},
                "spec": o.get("spec") or {}}
    return subset.mismatches(part(theirs), part(mine)) or subset.mismatches(part(mine), part(theirs))


@check("ch16.one-file.files", "pets.yaml holds exactly the four objects of the separate files; "
       "remove-pets.sh deletes exactly those four", points=3, layer="static",
       hint="pets.yaml: web-deployment.yaml, web-service.yaml, db-stateful-set.yaml and "
            "db-service.yaml, in that order, separated by lines of ---. remove-pets.sh: one "
            "`kubectl delete --ignore-not-found svc/web deploy/web svc/db statefulset/db` "
            "(any spelling of the four): no --all, no label selector, no claim — the claim "
            "pets-data-db-0 keeps the data for the next `kubectl apply -f pets.yaml`.")
def test_one_file(lab):
    objs = manifests.read(lab.require(n.PETS_FILE))
    found = [(o.get("kind"), (o.get("metadata") or {}).get("name")) for o in objs]
    assert found == list(n.PETS_OBJECTS), \
        f"{n.PETS_FILE} holds {', '.join(map(_title, objs))}; it should hold " \
        f"{', '.join(f'{k} {name}' for k, name in n.PETS_OBJECTS)}, in that order"
    for obj in objs:
        key = (obj["kind"], obj["metadata"]["name"])
        part = lab.path(n.PETS_PARTS[key])
        if not part.is_file():
            continue  # the step of that file reports it missing
        try:
            theirs = manifests.find(manifests.load(part), *key)
        except AssertionError:
            continue  # not readable: that file's own check says why
        if theirs is None:
            continue
        diff = _differences(obj, theirs)
        assert not diff, f"{n.PETS_FILE}: {_title(obj)} differs from {n.PETS_PARTS[key]}: " \
                         f"{diff[0]}" + (f" (and {len(diff) - 1} more)" if len(diff) > 1 else "")
    deleted, problems = _removed(lab.require(n.REMOVE_SCRIPT).read_text(encoding="utf-8", errors="replace"))
    assert not problems, f"{n.REMOVE_SCRIPT}: {problems[0]}"
    want = {f"{kind.lower()}/{name}" for kind, name in n.PETS_OBJECTS}
    assert deleted, f"{n.REMOVE_SCRIPT} runs no `kubectl delete`"
    missing, extra = sorted(want - deleted), sorted(deleted - want)
    assert not extra, f"{n.REMOVE_SCRIPT} also deletes {', '.join(extra)}: it should remove " \
                      "only the four objects of pets.yaml" + \
                      (" (the claim holds the data: keep it)" if any("persistentvolumeclaim" in e for e in extra) else "")
    assert not missing, f"{n.REMOVE_SCRIPT} does not delete {', '.join(missing)}"


def _removed(text: str) -> tuple[set[str], list[str]]:
    """The objects the script's `kubectl delete` commands remove, and what makes it
    delete something else or an unknown set (``--all``, selectors, other files)."""
    deleted: set[str] = set()
    problems: list[str] = []
    for line in script_commands(text):
        try:
            cmd = parse(line, namespace=n.NAMESPACE)
        except KubectlError as err:
            problems.append(f"cannot read `{line}`: {err}")
            continue
        if cmd.verb != "delete":
            continue
        if cmd.flag("--all") or cmd.flag("--selector") or cmd.flag("--all-namespaces"):
            problems.append(f"`{line}` deletes by --all or a label selector: whatever matches, "
                            "not the four objects")
        if cmd.flag("--namespace"):
            problems.append(f"`{line}` deletes in namespace {cmd.flag('--namespace')[0]}, not "
                            f"the lab's ({n.NAMESPACE})")
        for f in cmd.flag("--filename"):
            if f == n.PETS_FILE:  # exactly the objects the file declares
                deleted |= {f"{kind.lower()}/{name}" for kind, name in n.PETS_OBJECTS}
            else:
                problems.append(f"`{line}` deletes what {f} declares: name the four objects, "
                                f"or use {n.PETS_FILE}")
        for obj in cmd.objects:
            if "/" not in obj:
                problems.append(f"`{line}` deletes every {obj}")
            deleted.add(obj)
    return deleted, problems


@check("ch16.one-file.objects", "The four objects of pets.yaml exist", points=1, layer="live",
       hint="kubectl apply -f pets.yaml (after remove-pets.sh removed them, the notebook applies "
            "the file again): Deployment web, Service web, StatefulSet db, Service db.")
def test_pets_objects(kube):
    missing = []
    for kind, name in n.PETS_OBJECTS:
        try:
            kube_object(kube, kind, name)
        except AssertionError:
            missing.append(f"{kind} {name}")
    assert not missing, f"missing in namespace {kube.namespace}: {', '.join(missing)}"
