"""The Chinese edition's exercises through nbgrader, as tests/test_nbgrader.py does for the English
ones (a stage of its own, `nbgrader-zh`, beside it): the Chinese edition is an assignment of its
own, `zh-CN`, with the same points; in a scratch course it is handed out, a solved and an untouched
copy are handed in and autograded; the solution gets full marks, and a student's stub a Chinese hint.
"""
import glob
import os
import re
import shutil
import time

import nbformat
import pytest

from conftest import NOTEBOOKS
from test_nbgrader import STUB, auto_graded, course, nbgrader, nbgrader_cells, solved_copy

# The Chinese edition (notebooks/zh-CN/) is an assignment of its own, `zh-CN`, handed out as
# `make assignment` does: from notebooks/zh-CN/ into release/notebooks/zh-CN/.
ZH = ["--CourseDirectory.source_directory=notebooks", "--CourseDirectory.release_directory=release/notebooks",
      "--CourseDirectory.submitted_directory=submitted", "--CourseDirectory.autograded_directory=autograded"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_course():
    return {os.path.basename(p): nbformat.read(p, as_version=4)
            for p in sorted(glob.glob(os.path.join(NOTEBOOKS, "zh-CN", "[0-9][0-9]-*.ipynb")))}


def chinese_graded():
    return sorted(name for name, nb in chinese_course().items() if nbgrader_cells(nb, "grade"))


def test_the_chinese_exercises_have_the_english_points():
    english = course()
    for name, nb in chinese_course().items():
        ours = [(c.metadata.nbgrader["grade_id"], c.metadata.nbgrader.get("points")) for c in nbgrader_cells(nb, "grade")]
        theirs = [(c.metadata.nbgrader["grade_id"], c.metadata.nbgrader.get("points")) for c in nbgrader_cells(english[name], "grade")]
        assert ours == theirs, f"zh-CN/{name}: graded cells {ours}, the English notebook's {theirs}"


@pytest.fixture(scope="module")
def graded_zh(tmp_path_factory):
    """A scratch course with the Chinese assignment handed out, one solved and one untouched
    copy handed in, and both autograded."""
    root = tmp_path_factory.mktemp("course-zh")
    log = root / "nbgrader.log"
    (root / "notebooks" / "zh-CN").mkdir(parents=True)
    for name in chinese_course():
        os.symlink(os.path.join(NOTEBOOKS, "zh-CN", name), root / "notebooks" / "zh-CN" / name)
    started = time.monotonic()
    nbgrader(["generate_assignment", "zh-CN", "--force", *ZH], root, log)
    for name in chinese_graded():
        handed_out = nbformat.read(root / "release" / "notebooks" / "zh-CN" / name, as_version=4)
        source = nbformat.read(os.path.join(NOTEBOOKS, "zh-CN", name), as_version=4)
        for student, nb in (("solved", solved_copy(handed_out, source)), ("untouched", handed_out)):
            folder = root / "submitted" / student / "zh-CN"
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / name)
    nbgrader(["autograde", "zh-CN", "--create", "--force", *ZH], root, log, timeout=900)
    print(f"nbgrader, Chinese edition: {time.monotonic() - started:.0f} s")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_chinese_students_version_has_no_solutions(graded_zh):
    for name in chinese_graded():
        student = nbformat.read(graded_zh / "release" / "notebooks" / "zh-CN" / name, as_version=4)
        text = "\n".join(c.source for c in student.cells)
        coded = any(c.cell_type == "code" for c in nbgrader_cells(student, "solution"))  # 15: a written answer only
        assert "BEGIN SOLUTION" not in text and (STUB in text or not coded), f"zh-CN/{name}: solutions handed out, or no stub"


def test_chinese_solution_gets_full_marks_and_a_stub_a_chinese_hint(graded_zh):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded_zh / 'gradebook.db'}") as gb:
        for name in chinese_graded():
            for student, full in (("solved", True), ("untouched", False)):
                submitted = gb.find_submission_notebook(name[: -len(".ipynb")], "zh-CN", student)
                for grade in submitted.grades:
                    if grade.needs_manual_grade and full:
                        continue  # a written answer waits for the teacher
                    want = grade.max_score if full else 0
                    assert grade.auto_score == want, f"zh-CN/{name} {grade.name} ({student}): {grade.auto_score} of {grade.max_score}"
    for name in chinese_graded():
        nb = nbformat.read(graded_zh / "autograded" / "untouched" / "zh-CN" / name, as_version=4)
        for cell in auto_graded(nb):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert len(errors) == 1 and CJK.search(errors[0].evalue), \
                f"zh-CN/{name} {cell.metadata.nbgrader['grade_id']}: no Chinese hint: {cell.outputs}"
        nb = nbformat.read(graded_zh / "autograded" / "solved" / "zh-CN" / name, as_version=4)
        for cell in auto_graded(nb):
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert text.startswith("✔ 正确。"), f"zh-CN/{name}: {cell.outputs}"
