"""Small ch14 submissions for the pipeline tests: one config step, checked by
ch14.configs.hello (1 point)."""

from pathlib import Path

from tests.grader.grading.notebooks import notebook, write

HELLO = ('%%bash\nset -e\necho "Hello world" | docker config create '
         '--label "org.container-labs.lab=ch14" hello-config -')
WRONG = ('%%bash\nset -e\necho "Goodbye" | docker config create '
         '--label "org.container-labs.lab=ch14" hello-config -')
SETUP = ("import os, subprocess\n"
         "os.environ['DOCKER_HOST'] = DOCKER_HOST or os.environ.get('DOCKER_HOST', '')")


def make(folder: Path) -> Path:
    """alice: full marks; bob: a wrong value; carol: no notebook."""
    write(folder / "alice", "01-configs.ipynb", notebook(HELLO, setup=SETUP))
    write(folder / "bob", "01-configs.ipynb", notebook(WRONG, setup=SETUP))
    (folder / "carol").mkdir(parents=True)
    (folder / "carol" / "README.md").write_text("forgot the notebook\n")
    return folder
