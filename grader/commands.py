"""Compare shell commands by meaning, not by spelling: flag order, ``--flag=value`` vs
``--flag value``, short vs long flags and ``docker container stop`` vs ``docker stop``
all count as the same command."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

# Management-command forms that mean the same as the short form.
ALIASES = {
    ("container", "run"): ("run",), ("container", "stop"): ("stop",),
    ("container", "kill"): ("kill",), ("container", "rm"): ("rm",),
    ("container", "start"): ("start",), ("container", "attach"): ("attach",),
    ("container", "exec"): ("exec",), ("container", "ls"): ("ps",),
    ("container", "ps"): ("ps",), ("container", "logs"): ("logs",),
    ("container", "inspect"): ("inspect",), ("image", "ls"): ("images",),
    ("image", "build"): ("build",), ("image", "pull"): ("pull",),
    ("image", "rm"): ("rmi",), ("builder", "build"): ("build",),
    ("service", "remove"): ("service", "rm"), ("stack", "remove"): ("stack", "rm"),
    ("stack", "up"): ("stack", "deploy"),
}

# Short flags and their long names, per (sub)command; "*" applies everywhere.
SHORT = {
    "*": {"-h": "--help"},
    "stop": {"-t": "--time", "-s": "--signal"},
    "kill": {"-s": "--signal"},
    "rm": {"-f": "--force", "-v": "--volumes", "-l": "--link"},
    "run": {"-d": "--detach", "-i": "--interactive", "-t": "--tty", "-p": "--publish",
            "-e": "--env", "-v": "--volume", "-w": "--workdir", "-u": "--user",
            "-l": "--label", "-P": "--publish-all", "-h": "--hostname"},
    "build": {"-t": "--tag", "-f": "--file", "-q": "--quiet"},
    "exec": {"-i": "--interactive", "-t": "--tty", "-e": "--env", "-u": "--user",
             "-w": "--workdir", "-d": "--detach"},
    "service update": {"-d": "--detach", "-q": "--quiet"},
    "service create": {"-d": "--detach", "-e": "--env", "-p": "--publish", "-l": "--label",
                       "-q": "--quiet", "-u": "--user", "-w": "--workdir", "-t": "--tty"},
    "stack deploy": {"-c": "--compose-file"},
    "secret create": {"-l": "--label", "-d": "--driver"},
    "config create": {"-l": "--label"},
}

# Flags that take no value (everything else starting with -- takes one).
BOOLEAN = {"--detach", "--interactive", "--tty", "--force", "--volumes", "--link",
           "--help", "--quiet", "--publish-all", "--rm", "--privileged", "--init",
           "--no-cache", "--pull", "--sig-proxy", "--no-stdin", "--rollback", "--all",
           "--no-trunc", "--with-registry-auth", "--insecure", "--read-only",
           "--force-recreate", "--no-resolve-image", "--stdin"}


def signal_name(value: str) -> str:
    """``SIGKILL``, ``kill``, ``9`` → ``KILL``: one spelling for a ``--signal`` value."""
    import signal

    text = value.strip().upper()
    if text.isdigit():
        try:
            return signal.Signals(int(text)).name[3:]
        except ValueError:
            return text
    return text.removeprefix("SIG")


# Flags whose values have several spellings: how to bring them to one.
NORMALISE = {"--signal": signal_name}


class CommandError(ValueError):
    """The text is not a command we can read (empty, unbalanced quotes)."""


@dataclass(frozen=True)
class Command:
    """A parsed command: program, subcommand words, flags (long name → values), args."""

    program: str
    sub: tuple[str, ...]
    flags: dict = field(default_factory=dict)
    args: tuple[str, ...] = ()

    def flag(self, name: str) -> list[str]:
        return self.flags.get(name, [])


def _subcommand(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """Split leading subcommand words from the rest (docker has at most two)."""
    sub: list[str] = []
    rest = list(words)
    while rest and not rest[0].startswith("-") and len(sub) < 2:
        candidate = tuple(sub + [rest[0]])
        if len(sub) == 1 and not (candidate in ALIASES or sub[0] in
                                  ("service", "stack", "config", "secret", "swarm", "node",
                                   "network", "volume", "image", "container", "compose",
                                   "system", "builder", "context")):
            break
        sub.append(rest.pop(0))
    key = tuple(sub)
    return ALIASES.get(key, key), rest


def parse(text: str) -> Command:
    """Parse one command line (``\\`` continuations allowed); CommandError if unreadable."""
    if not isinstance(text, str):
        raise CommandError(f"expected a command as a string, got {type(text).__name__}")
    joined = text.replace("\\\n", " ").strip()
    try:
        words = shlex.split(joined)
    except ValueError as err:
        raise CommandError(f"cannot read {text!r}: {err}") from None
    if not words:
        raise CommandError("the command is empty")
    program, rest = words[0], words[1:]
    sub, rest = _subcommand(rest)
    short = {**SHORT["*"], **SHORT.get(" ".join(sub), {})}
    flags: dict[str, list[str]] = {}
    args: list[str] = []
    i = 0
    while i < len(rest):
        w = rest[i]
        if w == "--":
            args += rest[i + 1:]
            break
        if w.startswith("--"):
            name, eq, value = w.partition("=")
            if not eq and name not in BOOLEAN and i + 1 < len(rest):
                i += 1
                value = rest[i]
            flags.setdefault(name, []).append(value if (eq or name not in BOOLEAN) else "")
        elif w.startswith("-") and len(w) > 1:
            letters = w[1:]
            # -itd: a cluster of boolean short flags; -p8080:80 / -t 10: one with a value
            for j, ch in enumerate(letters):
                name = short.get(f"-{ch}", f"-{ch}")
                if name in BOOLEAN:
                    flags.setdefault(name, []).append("")
                    continue
                value = letters[j + 1:]
                value = value.removeprefix("=")  # -s=KILL, as docker's flag parser allows
                if not value and i + 1 < len(rest):
                    i += 1
                    value = rest[i]
                flags.setdefault(name, []).append(value)
                break
        else:
            args.append(w)
        i += 1
    for name, norm in NORMALISE.items():
        if name in flags:
            flags[name] = [norm(v) for v in flags[name]]
    return Command(program, sub, flags, tuple(args))


def same(given: str, expected: str, *, allow_extra: set[str] = frozenset(),
         extra_ok: dict | None = None) -> bool:
    """True when ``given`` means ``expected``: same program, subcommand and arguments,
    every expected flag with the same values (any order), and no other flag except
    those named in ``allow_extra``; ``extra_ok`` maps some of those to a test every
    value given for them must pass (``--time``: more than 0 seconds)."""
    try:
        g = parse(given)
    except CommandError:
        return False
    e = parse(expected)
    if (g.program, g.sub, g.args) != (e.program, e.sub, e.args):
        return False
    for name, values in e.flags.items():
        if sorted(g.flags.get(name, [])) != sorted(values):
            return False
    extra = set(g.flags) - set(e.flags)
    if not extra <= set(allow_extra):
        return False
    return all(ok(v) for name, ok in (extra_ok or {}).items() if name in extra
               for v in g.flags[name])
