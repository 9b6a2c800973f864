"""State snapshots: plain data read once per run, written to and read from a file.

:mod:`grader.state.docker` (containers, images, networks of an engine),
:mod:`grader.state.swarm` (services, tasks, configs, secrets, nodes),
:mod:`grader.state.kube` (a namespace's objects as the API server returns them), and
:mod:`grader.state.dumpfile` (all of them in one file: ``lab dump`` / ``--from-dump``).
Snapshots hold no client and call no API once taken.
"""
