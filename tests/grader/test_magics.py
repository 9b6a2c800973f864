"""Shell cells fail with one line: a real IPython kernel started the way `lab start` and
`lab run` start theirs, and papermill (`lab run`) recording the failure."""

from __future__ import annotations

import re
import time

import nbformat
import pytest

from grader import execute, magics, workspace

ANSI = re.compile(r"\x1b\[[0-9;]*m")
STUB = workspace.CELL_MAGIC_STUBS["%%bash"]
NOT_DONE = "this step is not done yet: write its commands in this cell"


@pytest.fixture(scope="module")
def kernel():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", extra_arguments=magics.KERNEL_ARGS)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run(kc, code: str, timeout: float = 30) -> tuple[str, list[tuple[str, dict]]]:
    """Execute ``code``; (status, [(msg_type, content)] of what the cell shows)."""
    shown = []

    def hook(msg):
        if msg["msg_type"] in ("stream", "error", "execute_result", "display_data"):
            shown.append((msg["msg_type"], msg["content"]))

    reply = kc.execute_interactive(code, output_hook=hook, timeout=timeout)
    return reply["content"]["status"], shown


def streams(shown, name: str) -> str:
    return "".join(c["text"] for t, c in shown if t == "stream" and c["name"] == name)


def the_error(shown) -> dict:
    errors = [c for t, c in shown if t == "error"]
    assert len(errors) == 1, shown
    return errors[0]


def test_the_not_done_stub_fails_with_its_message_alone(kernel):
    _, kc = kernel
    status, shown = run(kc, f"%%bash\nset -euo pipefail\necho before\n# YOUR CODE HERE\n{STUB}\n"
                            "echo after\n")
    assert status == "error"
    err = the_error(shown)
    assert err["ename"] == "StepNotDone" and err["evalue"] == NOT_DONE
    assert [ANSI.sub("", line) for line in err["traceback"]] == [NOT_DONE]
    assert streams(shown, "stdout") == "before\n"
    assert NOT_DONE not in streams(shown, "stderr")  # shown once, as the error line


def test_a_failing_command_shows_its_output_then_one_line(kernel):
    _, kc = kernel
    status, shown = run(kc, "%%bash\nset -euo pipefail\necho start\nls /no/such/path\n"
                            "echo never\n")
    assert status == "error"
    assert streams(shown, "stdout") == "start\n"
    assert "/no/such/path" in streams(shown, "stderr")
    err = the_error(shown)
    assert err["ename"] == "ShellCellFailed"
    assert [ANSI.sub("", line) for line in err["traceback"]] == [
        "this cell failed: bash exited with status 2 (its output is above)"]
    assert "CalledProcessError" not in str(shown) and "Traceback" not in str(shown)


def test_a_passing_cell_and_sh_and_prompts_without_newline(kernel):
    _, kc = kernel
    status, shown = run(kc, '%%bash\necho out\nprintf "Password: " >&2\n')
    assert status == "ok" and streams(shown, "stdout") == "out\n"
    assert streams(shown, "stderr") == "Password: "
    status, shown = run(kc, f"%%bash\necho '{NOT_DONE}' >&2\n")  # not the stub: it passed
    assert status == "ok" and streams(shown, "stderr") == NOT_DONE + "\n"
    status, shown = run(kc, "%%sh\nexit 3\n")
    assert status == "error"
    assert the_error(shown)["evalue"] == "this cell failed: sh exited with status 3"


def test_options_go_to_ipythons_script_magic(kernel):
    _, kc = kernel
    status, shown = run(kc, "%%bash --out captured\necho kept\n")
    assert status == "ok"
    status, shown = run(kc, "print(repr(captured))")
    assert streams(shown, "stdout").strip() == "'kept\\n'"
    status, shown = run(kc, "%%bash --out captured\nexit 4\n")
    assert status == "error" and "status 4" in the_error(shown)["evalue"]


def test_an_interrupt_stops_the_commands_with_one_line(kernel):
    km, kc = kernel
    msg_id = kc.execute("%%bash\necho started\nsleep 60\necho never\n")
    t0 = time.monotonic()
    shown = []
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind in ("stream", "error"):
            shown.append((kind, msg["content"]))
        if kind == "stream" and "started" in msg["content"]["text"]:
            km.interrupt_kernel()
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
    assert time.monotonic() - t0 < 20
    assert the_error(shown)["evalue"] == "this cell was interrupted: its commands were stopped"
    assert "never" not in streams(shown, "stdout")


def test_stderr_filter_holds_back_only_the_stub_line():
    written = []
    flt = magics._StderrFilter(written.append)
    for chunk in ("warn", "ing: x\nthis st", "ep is not done yet: do it\n", "Pass", "word: "):
        flt.feed(chunk)
    flt.close()
    assert "".join(written) == "warning: x\nPassword: "
    assert flt.not_done == "this step is not done yet: do it"
    flt.feed("this st")  # could be the stub's line: held until it is whole
    assert "".join(written) == "warning: x\nPassword: "
    flt.close()
    assert "".join(written).endswith("Password: this st\n")


def test_lab_run_records_the_not_done_cell_as_failed(tmp_path):
    """papermill, as `lab run` calls it: the run stops at the stub, with its message."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%%bash\necho first\n"),
        nbformat.v4.new_code_cell(f"%%bash\n# YOUR CODE HERE\n{STUB}\n"),
        nbformat.v4.new_code_cell("print('not reached')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "01-try.ipynb"
    nbformat.write(nb, path)
    [result] = execute.run([path], tmp_path, {})
    assert not result.ok
    assert result.error == f"cell 2: StepNotDone: {NOT_DONE}"
    ran = [c for c in nbformat.read(result.output, as_version=4).cells
           if c.cell_type == "code"]
    errors = [o for o in ran[1].outputs if o.output_type == "error"]
    assert [ANSI.sub("", line) for line in errors[0].traceback] == [NOT_DONE]
    assert not ran[2].outputs  # papermill stopped there


def test_nbgraders_python_stub_fails_with_one_line(kernel):
    _, kc = kernel
    status, shown = run(kc, "# YOUR CODE HERE\nraise NotImplementedError()\n")
    assert status == "error"
    err = the_error(shown)
    assert err["ename"] == "NotImplementedError"
    assert [ANSI.sub("", line) for line in err["traceback"]] == [magics.PYTHON_NOT_DONE]
    # raised elsewhere, or with a message of its own: the usual traceback
    status, shown = run(kc, "def later():\n    raise NotImplementedError()\nlater()\n")
    assert status == "error" and len(the_error(shown)["traceback"]) > 1
    status, shown = run(kc, "raise NotImplementedError('mine')\n")
    assert "mine" in ANSI.sub("", "".join(the_error(shown)["traceback"]))
