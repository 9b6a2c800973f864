"""Shell cells that fail with one line: the kernel's ``%%bash`` and ``%%sh``, replaced.

IPython's own ``%%bash`` raises ``CalledProcessError`` when the commands exit non-zero,
and the notebook then shows a long traceback that repeats the whole cell. Ours streams
the commands' output as it comes, then fails with one line: an exception whose
``_render_traceback_`` is that line, so IPython shows no traceback, while the cell still
ends in an error (papermill, and so ``lab run``, records it as failed and stops).

A cell that still holds the workspace's "not done yet" stub (``grader/workspace.py``)
fails with that message alone: the stub's own line is held back from the output and
becomes the error line, so it is not shown twice. A Python answer cell that still holds
nbgrader's stub (``raise NotImplementedError()`` at the top level of the cell) fails with
one line too.

``lab start`` and ``lab run`` start their kernels with ``--ext=grader.magics``
(``KERNEL_ARGS``); in any other kernel ``%load_ext grader.magics`` does the same.
Without it the notebooks still run on IPython's ``%%bash``.
"""

from __future__ import annotations

import codecs
import os
import queue
import signal
import subprocess
import sys
import threading

KERNEL_ARGS = ["--ext=grader.magics"]

# the first words of the stub's message; the stub itself is in grader/workspace.py
NOT_DONE = "this step is not done yet"

RED, RESET = "\x1b[31m", "\x1b[0m"


class ShellCellFailed(Exception):
    """A shell cell whose commands failed: IPython shows this one line, no traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"{RED}{self}{RESET}"]


class StepNotDone(ShellCellFailed):
    """An exercise cell the student has not written yet (it still holds the stub)."""


def _exit_line(program: str, returncode: int, printed: bool) -> str:
    if returncode < 0:
        try:
            why = f"{program} was stopped by {signal.Signals(-returncode).name}"
        except ValueError:
            why = f"{program} was stopped by signal {-returncode}"
    else:
        why = f"{program} exited with status {returncode}"
    return f"this cell failed: {why}" + (" (its output is above)" if printed else "")


class _Pump(threading.Thread):
    """Read one pipe of the process into ``out`` as text chunks, then ``(name, None)``."""

    def __init__(self, name: str, pipe, out: queue.Queue):
        super().__init__(daemon=True)
        self.name_, self.pipe, self.out = name, pipe, out

    def run(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        fd = self.pipe.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:  # closed after an interrupt: nothing more to show
                data = b""
            text = decoder.decode(data, final=not data)
            if text:
                self.out.put((self.name_, text))
            if not data:
                break
        self.out.put((self.name_, None))


class _StderrFilter:
    """Passes stderr through as it comes, except whole lines that are the stub's message:
    those are kept aside (the last one becomes the error line)."""

    def __init__(self, write):
        self.write, self.pending, self.not_done = write, "", ""

    def feed(self, text: str) -> None:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        shown = []
        for line in lines:
            if line.strip().startswith(NOT_DONE):
                self.not_done = line.strip()
            else:
                shown.append(line + "\n")
        tail = self.pending.lstrip()
        if self.pending and not (NOT_DONE.startswith(tail) or tail.startswith(NOT_DONE)):
            shown.append(self.pending)  # a prompt or progress without its newline yet
            self.pending = ""
        if shown:
            self.write("".join(shown))

    def close(self) -> None:
        self.feed("\n" if self.pending else "")


def run_shell(program: str, cell: str) -> None:
    """Run ``cell`` with ``program`` (bash, sh), its output streamed to this cell;
    raise :class:`ShellCellFailed` (or :class:`StepNotDone`) when it exits non-zero."""
    # like IPython's %%bash: the script on stdin, so `set -e`, `exit` and functions behave
    # the same; a session of its own so an interrupt reaches every command it started
    proc = subprocess.Popen([program], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    chunks: queue.Queue = queue.Queue()
    pumps = [_Pump("stdout", proc.stdout, chunks), _Pump("stderr", proc.stderr, chunks)]
    for pump in pumps:
        pump.start()
    printed = False

    def to_stderr(text: str) -> None:
        nonlocal printed
        printed = True
        sys.stderr.write(text)
        sys.stderr.flush()

    errors = _StderrFilter(to_stderr)
    try:
        try:
            proc.stdin.write((cell if cell.endswith("\n") else cell + "\n").encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the program ended before reading it all: its exit status says why
        open_pipes = len(pumps)
        # the pumps only read; this thread writes, so the output lands in this cell
        while open_pipes:
            name, text = chunks.get()
            if text is None:
                open_pipes -= 1
            elif name == "stdout":
                printed = True
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                errors.feed(text)
        errors.close()
        returncode = proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        errors.close()
        raise ShellCellFailed("this cell was interrupted: its commands were stopped") from None
    finally:
        for pipe in (proc.stdout, proc.stderr):
            pipe.close()
    if returncode == 0:
        if errors.not_done:  # the message was the commands' own, not the stub's
            to_stderr(errors.not_done + "\n")
        return
    if errors.not_done:
        raise StepNotDone(errors.not_done)
    raise ShellCellFailed(_exit_line(program, returncode, printed))


def _stop(proc: subprocess.Popen) -> None:
    """SIGINT to the commands, then SIGTERM, then SIGKILL, a moment apart."""
    for sig, wait in ((signal.SIGINT, 1.0), (signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


def _magic(program: str, shell):
    def shell_cell(line: str, cell: str):
        if line.strip():  # --bg, --out VAR and the like: IPython's own %%script does those
            try:
                return shell.run_cell_magic("script", f"{program} {line}", cell)
            except subprocess.CalledProcessError as err:
                raise ShellCellFailed(_exit_line(program, err.returncode, True)) from None
        run_shell(program, cell)

    shell_cell.__doc__ = (f"Run the cell with {program}; when it fails, show its output "
                          "and one line, no traceback.")
    return shell_cell


PYTHON_NOT_DONE = f"{NOT_DONE}: write your answers in this cell"


def _python_stub(shell, etype, value, tb, tb_offset=None):
    """nbgrader's bare ``raise NotImplementedError()`` at a cell's top level: one line.
    Any other NotImplementedError keeps its usual traceback."""
    last = tb
    while last is not None and last.tb_next is not None:
        last = last.tb_next
    frame = last.tb_frame if last is not None else None
    in_cell = (frame is not None and frame.f_code.co_name == "<module>"
               and frame.f_globals is shell.user_ns)
    if in_cell and not value.args:
        # ipykernel's _showtraceback sends the error (papermill stops on it)
        shell._showtraceback(etype, value, [f"{RED}{PYTHON_NOT_DONE}{RESET}"])
    else:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    return []


def load_ipython_extension(ipython) -> None:
    """``%%bash`` and ``%%sh`` become ours in this kernel; nbgrader's Python stub fails
    with one line (unless something else already handles exceptions its own way)."""
    for program in ("bash", "sh"):
        ipython.register_magic_function(_magic(program, ipython), magic_kind="cell",
                                        magic_name=program)
    if not ipython.custom_exceptions:
        ipython.set_custom_exc((NotImplementedError,), _python_stub)
