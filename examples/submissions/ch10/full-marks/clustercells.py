"""For ch10's Kubernetes notebooks (06 to 09): does a cluster for the lab answer? When
none does, the cells that need it (the ``%%bash`` cells after the gate) are skipped,
each printing why, and the rest of the notebook still runs: the files you write, the
questions, the checks of your files. ``lab run ch10`` on a machine without a cluster
goes through these notebooks the same way."""

import subprocess

HOW = ("run `lab env up ch10 --provider kind` in a terminal (or `--provider existing` for "
       "a cluster you already have), then restart this notebook's kernel")


def problem(namespace: str) -> str | None:
    """Why the cluster cannot be used from here, or None."""
    try:
        p = subprocess.run(["kubectl", "version", "--request-timeout=10s"], capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        return "kubectl is not on the PATH of this notebook"
    except subprocess.TimeoutExpired:
        return "kubectl did not answer within 30 s"
    if p.returncode != 0:
        return "no Kubernetes cluster answers"
    ns = subprocess.run(["kubectl", "config", "view", "--minify", "-o", "jsonpath={..namespace}"],
                        capture_output=True, text=True, check=False).stdout.strip()
    if ns != namespace:
        return (f"the current kube context works in the namespace '{ns or 'default'}', not "
                f"{namespace} (the lab's kubeconfig sets it)")
    return None


def gate(namespace: str) -> bool:
    """True when the cluster answers; otherwise later ``%%bash`` cells are skipped."""
    from IPython import get_ipython

    shell = get_ipython()
    cleanup = shell.input_transformers_cleanup
    cleanup[:] = [t for t in cleanup if getattr(t, "__name__", "") != "skip_cluster_cell"]
    why = problem(namespace)
    if why is None:
        print(f"cluster ready: namespace {namespace}")
        return True
    message = f"skipped: this cell needs a Kubernetes cluster ({why}): {HOW}"

    def skip_cluster_cell(lines: list[str]) -> list[str]:
        if lines and lines[0].startswith("%%bash"):
            return [f"print({message!r})\n"]
        return lines

    cleanup.append(skip_cluster_cell)
    print(f"needs a Kubernetes cluster: {why}.\nThe cells that use it will say 'skipped'; "
          f"to run them, {HOW}.")
    return False
