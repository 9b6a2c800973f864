import pytest

from grader.commands import CommandError, parse, same


def test_flag_order_and_spelling_do_not_matter():
    expected = ("docker service update --image acme/inventory:2.1 --update-parallelism 2 "
                "--update-delay 1m inventory")
    assert same("docker service update --update-delay=1m --update-parallelism 2 "
                "--image acme/inventory:2.1 inventory", expected)
    assert same("docker service update \\\n --image acme/inventory:2.1 \\\n"
                " --update-parallelism=2 --update-delay 1m inventory", expected)


def test_different_values_or_targets_differ():
    expected = "docker service update --image acme/inventory:2.1 --update-parallelism 2 inventory"
    assert not same("docker service update --image acme/inventory:2.0 --update-parallelism 2 inventory", expected)
    assert not same("docker service update --image acme/inventory:2.1 --update-parallelism 2 web", expected)
    assert not same("docker service update --image acme/inventory:2.1 inventory", expected)


def test_management_command_alias_and_short_flags():
    assert same("docker container stop -t 5 redis-7.0", "docker stop redis-7.0", allow_extra={"--time"})
    assert not same("docker container stop -t 5 redis-7.0", "docker stop redis-7.0")
    c = parse("docker run -itd --name r -p 6379:6379 clabs/redis:7.0")
    assert c.sub == ("run",)
    assert set(c.flags) == {"--interactive", "--tty", "--detach", "--name", "--publish"}
    assert c.flag("--publish") == ["6379:6379"] and c.args == ("clabs/redis:7.0",)


def test_unreadable_commands():
    with pytest.raises(CommandError):
        parse("")
    with pytest.raises(CommandError):
        parse("docker run 'unclosed")
    assert not same("docker run 'unclosed", "docker run x")
    assert not same(None, "docker stop x")


def test_signal_values_have_one_spelling():
    for text in ("docker kill -s SIGKILL x", "docker kill -s 9 x", "docker kill --signal=kill x",
                 "docker kill -s=KILL x", "docker container kill --signal Kill x"):
        assert parse(text).flag("--signal") == ["KILL"], text
    assert same("docker kill -s SIGKILL x", "docker kill --signal KILL x")
    assert not same("docker kill -s SIGTERM x", "docker kill --signal KILL x")


def test_extra_flags_can_be_held_to_a_test_of_their_values():
    graceful = {"--time": lambda v: v.isdigit() and int(v) > 0, "--signal": lambda v: v == "TERM"}
    extra = {"--time", "--signal"}
    assert same("docker stop -t 5 x", "docker stop x", allow_extra=extra, extra_ok=graceful)
    assert same("docker stop -s SIGTERM x", "docker stop x", allow_extra=extra, extra_ok=graceful)
    assert not same("docker stop -t 0 x", "docker stop x", allow_extra=extra, extra_ok=graceful)
    assert not same("docker stop --signal KILL x", "docker stop x", allow_extra=extra,
                    extra_ok=graceful)
    assert same("docker stop --signal KILL -t 0 x", "docker stop x", allow_extra=extra)
