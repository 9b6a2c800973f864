import pytest

from grader.checks import Check, Result, check, exit_code, pending, summary


def test_decorator_declares_next_to_the_function():
    @check("ch10.demo.one", "A demo", points=2, hint="  do this  ", layer="live")
    def test_demo():
        pass

    c = test_demo.__lab_check__
    assert (c.id, c.points, c.hint, c.layer, c.step, c.chapter) == \
        ("ch10.demo.one", 2, "do this", "live", "ch10.demo", "ch10")


def test_bad_declarations_are_refused():
    with pytest.raises(ValueError):
        check("x.y", "t", points=1, hint="h", layer="runtime")
    with pytest.raises(ValueError):
        check("x.y", "t", points=-1, hint="h", layer="live")


def test_selection_by_id_or_step_prefix():
    c = Check("ch10.pull-run.ping", "t", 1, "h", "live")
    assert c.selected_by(None) and c.selected_by(["ch10.pull-run"]) and c.selected_by(["ch10"])
    assert c.selected_by(["ch10.pull-run.ping"]) and not c.selected_by(["ch10.pull"])


def test_totals_and_exit_codes():
    a = Check("c.a.x", "t", 2, "h", "live")
    b = Check("c.b.x", "t", 3, "h", "live")
    p = pending("c.k.x", "t", points=5, layer="live", reason="later")
    ok = [Result(a, "pass"), Result(b, "pass"), Result(p, "n/a")]
    assert summary(ok)["earned"] == 5 and summary(ok)["possible"] == 5 and exit_code(ok) == 0
    assert exit_code([Result(a, "pass"), Result(b, "fail")]) == 1
    assert exit_code([Result(a, "error"), Result(b, "fail")]) == 2
    assert Result(b, "fail").as_dict()["hint"] == "h" and Result(b, "pass").as_dict()["hint"] == ""
