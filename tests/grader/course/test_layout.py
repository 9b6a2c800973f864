import pytest

from grader.chapters import CHAPTERS
from grader.course import layout
from grader.course.layout import Course
from grader.errors import LabError


def test_init_makes_an_nbgrader_course_with_every_chapter(course_template):
    root = course_template.root
    assert (root / "nbgrader_config.py").is_file() and (root / "gradebook.db").is_file()
    assert course_template.course_id == "container-labs"
    for ch in CHAPTERS.values():
        source = course_template.source_dir(ch.id)
        assert sorted(p.name for p in source.glob("*.ipynb")) == [p.name for p in ch.notebooks()]
        assert not (source / "solutions").exists()  # the reference files stay in the repo
        key = course_template.key_file(ch.id)
        assert key.read_text() == (ch.checks_dir / "answers.py").read_text()
    # the lab folder's material comes along
    assert (course_template.source_dir("ch14") / "legacy" / "whoami.conf").is_file()
    assert (course_template.source_dir("ch10") / "mysql" / "init.sql").is_file()


def test_init_again_keeps_what_the_instructor_changed(course):
    key = course.key_file("ch14")
    key.write_text(key.read_text() + "\n# edited by the instructor\n")
    nb = course.source_dir("ch14") / "03-configs.ipynb"
    nb.write_text(nb.read_text().replace("Hello world", "Hello class"))
    Course.init(course.root)
    assert key.read_text().endswith("# edited by the instructor\n")
    assert "Hello class" in nb.read_text()


def test_open_names_what_is_missing(tmp_path):
    with pytest.raises(LabError, match="not a course folder.*lab course init"):
        Course.open(tmp_path)


@pytest.mark.parametrize("name", ["../bob", "a/b", "a\\b", ".hidden", "", "x" * 200, "..",
                                  "bob\n", "tab\there", "nul\x00"])
def test_student_and_chapter_names_cannot_leave_the_course(course_template, name):
    with pytest.raises(LabError, match="not a plain name"):
        course_template.student_dir("ch14", name)
    with pytest.raises(LabError):
        course_template.released_dir(name)


@pytest.mark.parametrize("name", ["Smith, Jane", "émile", "=cmd|x", "a..b", "bob@uni.edu"])
def test_student_ids_as_an_lms_spells_them(course_template, name):
    assert course_template.student_dir("ch14", name).name == name


def test_default_course_is_the_one_around_the_submissions(course_template, tmp_path,
                                                        monkeypatch):
    submitted = course_template.root / "submitted"
    submitted.mkdir(exist_ok=True)
    assert layout.default_course(submitted) == course_template
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "class"
    outside.mkdir()
    made = layout.default_course(outside)  # none around it: ./course is made
    assert made.root == tmp_path / "course" and (made.root / "nbgrader_config.py").is_file()
    assert layout.default_course(outside) == made  # and used from then on
