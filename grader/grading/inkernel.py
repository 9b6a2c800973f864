"""What runs INSIDE the kernel container of a submission (``python3 -m
grader.grading.inkernel``): papermill executes the student's notebooks in order, with an
engine (registered in papermill's engine registry as ``clabs-go-on``) that records every
cell that errors, times out or kills the kernel, and goes on with the next cell.

After a timeout or a dead kernel the engine kills every other process of the sandbox
(what the cell left running: a fork bomb's processes, a server started in the
background; :func:`kill_strays`), starts a fresh kernel and runs the
notebook's set-up again (papermill's parameters cells, and every locked cell before
that one that is neither a test nor a solution cell: the imports and helpers later cells
need), then the next cell. Output over the limit is cut, with a line saying so. Each cell's outcome
is in its metadata (``clabs``: status and message); the host reads it back
(:mod:`grader.grading.cells`) and treats it as the student's data, not the grader's.

Only papermill, nbclient and nbformat are needed here (no docker SDK, no grader module).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import signal
import sys
import time

ENGINE = "clabs-go-on"
META = "clabs"


def _stderr_tail(cell) -> str:
    lines = [ln for out in cell.get("outputs", []) if out.get("name") == "stderr"
             for ln in str(out.get("text", "")).splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def _is_prelude(cell) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    if "parameters" in tags or "injected-parameters" in tags:
        return True
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    return bool(nbg.get("locked")) and not nbg.get("grade") and not nbg.get("solution")


def kill_strays(rounds: int = 100) -> bool:
    """Kill every process of the kernel container but this one, and reap them. Only as
    PID 1 of the container's own PID namespace, where ``kill(-1)`` reaches exactly the
    sandbox's processes (anywhere else it would reach the user's every process: then
    nothing is done and False returned). A fork bomb forks while it is being killed:
    kill again until nothing is left, at most ``rounds`` times."""
    if os.getpid() != 1:
        return False
    for _ in range(rounds):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:      # nothing left to signal
            break
        time.sleep(0.02)
        _reap()                         # a zombie can still be signalled: reap as we go
    _reap()
    return True


def sacrifice(km) -> None:
    """Make the kernel of ``km``, and everything it forks (the value is inherited), the
    OOM killer's first choice in the container: a cell that eats the memory (a fork bomb
    of kernels does) then loses its kernel, which the engine replaces, and not this
    process, PID 1, with which the container and the rest of the notebooks would end.
    Raising a score needs no privilege."""
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    if pid:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/oom_score_adj", "w") as f:
            f.write("1000")


def _reap() -> None:
    """PID 1 is every orphan's parent: collect the exited ones (a zombie holds a pid)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def build_engine(max_output: int):
    """The papermill engine class (built here: papermill is imported only in the sandbox
    and by tests)."""
    import nbformat
    from nbclient.exceptions import (
        CellExecutionError,
        CellTimeoutError,
        DeadKernelError,
    )
    from nbclient.util import run_sync
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine

    class GoOnClient(PapermillNotebookClient):
        """Every cell runs, whatever happened to the one before."""

        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg.get("content", {}), default=str))
            used = self._used.get(cell_index, 0) + size
            self._used[cell_index] = used
            if used > max_output:
                if cell_index not in self._cut:
                    self._cut.add(cell_index)
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stderr",
                        text=f"\n[lab grade: output cut here, over {max_output} bytes]\n"))
                return None
            return super().output(outs, msg, display_id, cell_index)

        async def async_start_new_kernel(self, **kwargs) -> None:
            await super().async_start_new_kernel(**kwargs)
            sacrifice(self.km)

        start_new_kernel = run_sync(async_start_new_kernel)   # nbclient binds its own

        async def _async_restart(self) -> None:
            # a new kernel and client, as nbclient makes them at the start (restarting
            # the old one in place leaves its client waiting on stale channels)
            self.shutdown_kernel = "immediate"
            await self._async_cleanup_kernel()
            # what the old kernel left running holds pids and memory the new one needs
            kill_strays()
            self.km = self.create_kernel_manager()
            await self.async_start_new_kernel()
            await self.async_start_new_kernel_client()

        def _fresh_kernel(self, upto: int) -> None:
            run_sync(self._async_restart)()
            for i, cell in enumerate(self.nb.cells[:upto]):
                if cell.cell_type == "code" and _is_prelude(cell):
                    # the set-up is the notebook's: when it fails, the next cell says so
                    with contextlib.suppress(Exception):
                        self.execute_cell(copy.deepcopy(cell), i)

        def papermill_execute_cells(self):
            self._used, self._cut = {}, set()
            for index, cell in enumerate(self.nb.cells):
                status, message = "ok", ""
                try:
                    self.nb_man.cell_start(cell, index)
                    self.execute_cell(cell, index)
                except CellTimeoutError:
                    status, message = "timeout", f"no result after {self.timeout} s: stopped"
                except DeadKernelError:
                    status, message = "kernel-died", "the kernel died (out of memory, or killed)"
                except CellExecutionError as ex:
                    status = "error"
                    message = _stderr_tail(self.nb.cells[index]) or f"{ex.ename}: {ex.evalue}"
                    self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=ex)
                except Exception as ex:  # noqa: BLE001  a kernel that stops answering
                    status, message = "kernel-died", f"{type(ex).__name__}: {ex}"
                finally:
                    self.nb.cells[index].metadata[META] = {"status": status,
                                                          "message": str(message)[:500]}
                    if status != "ok" and cell.cell_type == "code":
                        self.nb.cells[index].metadata.papermill["status"] = "failed"
                    self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)
                if status in ("timeout", "kernel-died"):
                    try:
                        self._fresh_kernel(index)
                    except Exception as ex:  # noqa: BLE001
                        self.nb.metadata[META] = {"stopped": f"no fresh kernel: {ex}"}
                        self.nb_man.save()
                        return

    class GoOnEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     **kwargs):
            client = GoOnClient(nb_man, kernel_name=kernel_name, timeout=execution_timeout,
                                startup_timeout=start_timeout, interrupt_on_timeout=False,
                                log_output=False)
            return client.execute()

    return GoOnEngine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inkernel")
    parser.add_argument("--out", required=True)
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--cell-timeout", type=int, default=600)
    parser.add_argument("--max-output", type=int, default=1_000_000)
    parser.add_argument("--params", default="{}")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)

    import papermill as pm
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError

    papermill_engines.register(ENGINE, build_engine(args.max_output))
    params = json.loads(args.params)
    for name in args.notebooks:
        print(f"notebook {name}", flush=True)
        try:
            pm.execute_notebook(f"{args.cwd}/{name}", f"{args.out}/{name}", parameters=params,
                                engine_name=ENGINE, kernel_name="python3", cwd=args.cwd,
                                execution_timeout=args.cell_timeout, progress_bar=False,
                                log_output=False, report_mode=False)
        except PapermillExecutionError:
            pass   # recorded cell by cell
        except Exception as err:  # noqa: BLE001  one notebook that cannot start: say so, go on
            print(f"notebook {name} failed: {type(err).__name__}: {str(err)[:300]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
