"""The ch10 answer key. Notebooks grade against it through ``grader.answers.grade``;
``lab check`` reads the student's answer cell and compares the same way."""

from grader.answers import CommandAnswer, ValueAnswer


def _grace_period(value: str) -> bool:
    """``--time``/``-t`` of a graceful stop: any number of seconds but 0 (-1: no limit)."""
    return value.lstrip("-").isdigit() and int(value) != 0


def _term(value: str) -> bool:
    """``--signal`` of a graceful stop: SIGTERM, however spelled (TERM, 15)."""
    return value == "TERM"  # grader.commands has turned SIGTERM and 15 into TERM


EXPECTED = {
    "ch10.lifecycle.answers": {
        "STOP_COMMAND": CommandAnswer(
            "docker stop redis-7.0", allow_extra=frozenset({"--time", "--signal"}),
            extra_ok=(("--time", _grace_period), ("--signal", _term)),
            hint="the command that asks the main process to exit (SIGTERM) and kills it "
                 "only after a grace period, for the container redis-7.0"),
        "KILL_COMMAND": CommandAnswer(
            "docker kill redis-7.0", alternatives=("docker kill --signal KILL redis-7.0",),
            hint="the command that sends SIGKILL to redis-7.0 at once, with no grace period"),
        "REMOVE_COMMAND": CommandAnswer(
            "docker rm redis-7.0",
            hint="the command that deletes the stopped container redis-7.0 (not its image)"),
        "ATTACH_COMMAND": CommandAnswer(
            "docker attach redis-7.0", allow_extra=frozenset({"--sig-proxy", "--no-stdin",
                                                              "--detach-keys"}),
            hint="the command that connects your terminal to the main process of redis-7.0"),
        "EXIT_CODE_AFTER_KILL": ValueAnswer(
            137, hint="the exit code `docker ps -a` shows for a process ended by SIGKILL "
                      "(128 + the signal's number)"),
        "STATUS_AFTER_STOP": ValueAnswer(
            "exited", hint="the word `docker inspect -f '{{.State.Status}}'` prints for a "
                           "stopped container"),
    },
}
