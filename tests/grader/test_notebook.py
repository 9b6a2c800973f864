from grader.notebook import Report, check
from tests.checks.helpers import release_with_solutions


def test_check_from_a_notebook_renders_html(tmp_path):
    lab_dir = release_with_solutions("ch10", tmp_path / "ch10")
    rep = check("ch10.multistage.stages", lab_dir)
    assert isinstance(rep, Report) and rep.passed
    html = rep._repr_html_()
    assert "ch10.multistage.stages" in html and "pass" in html
    (lab_dir / "user" / "Dockerfile").write_text("FROM clabs/golang:1.19\nRUN go build .\n")
    rep = check("ch10.multistage.stages", lab_dir)
    assert not rep.passed and "multi-stage" in rep._repr_html_()
    assert "fail" in repr(rep)
