"""Hand out and grade the course's exercises with nbgrader, as a teacher would.

The course notebooks are the instructor's version (nbgrader_config.py at the root). In a scratch
course folder: generate the students' version; three students hand in, one with everything
solved, one with the notebooks untouched, one with every other graded notebook solved and the
rest untouched; one `nbgrader autograde` run grades the class on the real JJava kernel; then
export the grades and check each student's score and what a learner reads in the check cells.

Whatever exercises the notebooks hold, read from their nbgrader metadata:
  * automatically graded cells (locked check cells: `grade`, not `solution`) give the solved copy
    their full points and the untouched copy none;
  * hand-graded answers (`grade` and `solution`, e.g. a written markdown answer) cannot be scored
    by the autograder: for the solved copy nbgrader marks them as needing manual grading, and the
    test checks that, rather than expecting their points; an untouched answer scores 0.
"""
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

import kernel_ports
from conftest import NOTEBOOKS, ROOT, run_logged

VENV_BIN = os.path.dirname(sys.executable)
STUB = 'throw new UnsupportedOperationException("TODO");'
SOLUTION_REGION = re.compile(r"^[ \t]*// BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*// END SOLUTION[^\n]*$", re.M | re.S)


def course():
    return {os.path.basename(p): nbformat.read(p, as_version=4)
            for p in sorted(glob.glob(os.path.join(NOTEBOOKS, "[0-9][0-9]-*.ipynb")))}


def nbgrader_cells(nb, kind):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get(kind)]


def graded_notebooks():
    return sorted(name for name, nb in course().items() if nbgrader_cells(nb, "grade"))


def auto_graded(nb):
    """Cells the autograder scores: the locked checks."""
    return [c for c in nbgrader_cells(nb, "grade") if not c.metadata.nbgrader.get("solution")]


def hand_graded(nb):
    """Answers a teacher grades by hand (nbgrader's "manually graded answer")."""
    return [c for c in nbgrader_cells(nb, "grade") if c.metadata.nbgrader.get("solution")]


def points(cells):
    return sum(c.metadata.nbgrader.get("points", 0) for c in cells)


def figures():
    """{notebook: (automatic points, hand-graded points, grade ids)} for the course."""
    return {name: (points(auto_graded(nb)), points(hand_graded(nb)),
                   [c.metadata.nbgrader["grade_id"] for c in nbgrader_cells(nb, "grade")])
            for name, nb in course().items() if nbgrader_cells(nb, "grade")}


def grades_by_cell(root, student):
    """{(notebook, grade id): nbgrader's Grade as a dict} from the scratch course's gradebook."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for name in graded_notebooks():
            submitted = gb.find_submission_notebook(name[: -len(".ipynb")], "notebooks", student)
            for grade in submitted.grades:
                found[(name, grade.name)] = {"auto_score": grade.auto_score, "max_score": grade.max_score,
                                             "needs_manual_grade": grade.needs_manual_grade}
    return found


def nbgrader(args, root, log, timeout=600):
    """One nbgrader command on the scratch course, with the repository's nbgrader_config.py.
    autograde starts the notebooks' kernels on quiet ports (tools/kernel_ports.py): the other
    stages' connections run beside it."""
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}",  # nbgrader runs `alembic`
           "PYTHONPATH": kernel_ports.pythonpath()}
    quiet = [kernel_ports.nbgrader_autograde_option()] if args[0] == "autograde" else []
    code, tail, _ = run_logged([os.path.join(VENV_BIN, "nbgrader"), *args, *quiet, f"--CourseDirectory.root={root}"],
                               log, timeout, env=env, grace=10)
    assert code == 0, f"nbgrader {args[0]} failed:\n{tail}"


def solved_copy(student_nb, source_nb):
    """The students' notebook with every solution cell filled in from the instructor's version."""
    answers = {c.metadata.nbgrader["grade_id"]: c.source for c in nbgrader_cells(source_nb, "solution")}
    nb = nbformat.from_dict(student_nb)
    for cell in nbgrader_cells(nb, "solution"):
        lines = answers[cell.metadata.nbgrader["grade_id"]].splitlines()
        cell.source = "\n".join(l for l in lines if "BEGIN SOLUTION" not in l and "END SOLUTION" not in l)
    return nb


def partly_solved():
    """The notebooks the third student solves: every other graded notebook."""
    return graded_notebooks()[::2]


def table_points(name):
    """Points per notebook in the exercise table of a course notebook's markdown (00 and 06
    list every exercise): {notebook: points}, and the table's total."""
    nb = course()[name]
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    rows, total = {}, None
    for line in text.splitlines():
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cols) < 3 or not line.lstrip().startswith("|"):
            continue
        points = next((c for c in cols if re.fullmatch(r"\**\d+( × \d+)?\**", c)), None)
        if points is None:
            continue
        value = eval(points.strip("*").replace("×", "*"))  # "4 × 1" is four questions of 1 point
        if any("Total" in c for c in cols):
            total = value
            continue
        linked = re.search(r"\[(\d\d-[\w-]+)\]", line)
        here = re.match(r"(\d\d-[\w-]+) \(here\)", next((c for c in cols if "(here)" in c), ""))
        key = (linked or here).group(1) + ".ipynb"
        rows[key] = rows.get(key, 0) + value
    return rows, total


@pytest.mark.parametrize("name", ["00-index.ipynb", "06-exercises.ipynb"])
def test_the_exercise_tables_give_every_exercise_its_points(name):
    """00 and 06 each list every exercise with its points; the lists are kept in step with the
    notebooks' nbgrader metadata here, not by memory."""
    rows, total = table_points(name)
    actual = {n: a + h for n, (a, h, _) in figures().items() if a + h}
    assert rows == actual, f"{name}'s exercise table says {rows}, the notebooks' metadata {actual}"
    assert total == sum(actual.values()), f"{name}'s table gives a total of {total}, the exercises add up to {sum(actual.values())}"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A scratch course: the course notebooks (linked, not copied) handed out and graded."""
    root = tmp_path_factory.mktemp("course")
    log = root / "nbgrader.log"
    (root / "notebooks").mkdir()
    for name in course():
        os.symlink(os.path.join(NOTEBOOKS, name), root / "notebooks" / name)
    timings = {}
    started = time.monotonic()
    nbgrader(["generate_assignment", "notebooks", "--force"], root, log)
    timings["generate_assignment"] = time.monotonic() - started

    # Students hand in the notebooks that have exercises: one solved, one untouched, one partly.
    for name in graded_notebooks():
        handed_out = nbformat.read(root / "release" / "notebooks" / name, as_version=4)
        source = nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)
        solved = solved_copy(handed_out, source)
        partial = solved if name in partly_solved() else handed_out
        for student, nb in (("solved", solved), ("untouched", handed_out), ("partial", partial)):
            folder = root / "submitted" / student / "notebooks"
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / name)

    started = time.monotonic()
    nbgrader(["autograde", "notebooks", "--create", "--force"], root, log, timeout=900)
    timings["autograde"] = time.monotonic() - started
    nbgrader(["export", f"--to={root / 'grades.csv'}"], root, log)
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    print("nbgrader:", ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))
    yield root, grades
    shutil.rmtree(root, ignore_errors=True)


def test_course_has_graded_exercises_with_solutions():
    grade_cells = {name: nbgrader_cells(nb, "grade") for name, nb in course().items()}
    pts = [c.metadata.nbgrader.get("points", 0) for cells in grade_cells.values() for c in cells]
    assert len(pts) >= 6, f"only {len(pts)} graded cells: {grade_cells}"
    assert all(p > 0 for p in pts), pts
    for name, nb in course().items():
        for cell in auto_graded(nb):
            assert cell.cell_type == "code", f"{name}: an automatic check must be a code cell: {cell.metadata.nbgrader}"
            assert cell.metadata.nbgrader.get("locked"), f"{name}: grade cell {cell.metadata.nbgrader} not locked"
        for cell in nbgrader_cells(nb, "solution"):
            if cell.cell_type == "code":
                assert SOLUTION_REGION.search(cell.source), f"{name}: solution cell without a region:\n{cell.source}"
    lines = [f"{name}: {auto} automatic + {hand} by hand ({', '.join(ids)})"
             for name, (auto, hand, ids) in figures().items()]
    auto, hand = sum(f[0] for f in figures().values()), sum(f[1] for f in figures().values())
    print("\nnbgrader points:\n  " + "\n  ".join(lines) + f"\n  total {auto + hand} ({auto} automatic, {hand} by hand)")


def test_points_follow_the_course_plan():
    """At least 20 points in all, at least two answers graded by hand."""
    total = sum(a + h for a, h, _ in figures().values())
    hand = [c for nb in course().values() for c in hand_graded(nb)]
    assert total >= 20 and len(hand) >= 2, \
        f"{total} points with {len(hand)} hand-graded answers; the course needs at least 20 and 2: " \
        + ", ".join(f"{n} {a}+{h}" for n, (a, h, _) in figures().items())


def test_students_version_has_no_solutions(graded):
    root, _ = graded
    handed_out = {os.path.basename(p) for p in glob.glob(str(root / "release" / "notebooks" / "*.ipynb"))}
    assert handed_out == set(course()), "the students' version must hold every course notebook"
    for name, source in course().items():
        student = nbformat.read(root / "release" / "notebooks" / name, as_version=4)
        text = "\n".join(c.source for c in student.cells)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, name
        by_id = {c.metadata.nbgrader["grade_id"]: c for c in nbgrader_cells(student, "solution")}
        for cell in nbgrader_cells(source, "solution"):
            given = by_id[cell.metadata.nbgrader["grade_id"]].source
            if cell.cell_type != "code":
                # A written answer is handed out as nbgrader's stub, without the model answer.
                answer = "\n".join(l for l in cell.source.splitlines() if "SOLUTION" not in l).strip()
                assert "YOUR ANSWER HERE" in given and (not answer or answer not in given), \
                    f"{name} {cell.metadata.nbgrader['grade_id']}: written answer handed out:\n{given}"
                continue
            assert STUB in given, f"{name}: no stub in\n{given}"
            for region in SOLUTION_REGION.findall(cell.source):
                assert region.strip() not in given, f"{name}: solution handed out:\n{region}"


def test_solved_copy_gets_full_marks_and_untouched_copy_zero(graded):
    root, grades = graded
    auto_max = sum(points(auto_graded(nb)) for nb in course().values())
    hand_max = sum(points(hand_graded(nb)) for nb in course().values())
    solved, untouched = grades["solved"], grades["untouched"]
    assert float(solved["max_score"]) == auto_max + hand_max, solved
    # Hand-graded answers count 0 until a teacher grades them.
    assert float(solved["score"]) == auto_max, solved
    assert float(untouched["score"]) == 0, untouched
    print(f"\nnbgrader: solved copy {float(solved['score']):g} of {auto_max} automatic points, "
          f"untouched copy {float(untouched['score']):g}; {hand_max} points left to grade by hand")


def test_one_autograde_run_grades_each_student_of_a_class(graded):
    """Three students collected and graded together: each gets the points of what they solved."""
    root, grades = graded
    auto = {name: points(auto_graded(nb)) for name, nb in course().items()}
    expected = {"solved": sum(auto.values()), "untouched": 0,
                "partial": sum(auto[name] for name in partly_solved())}
    assert 0 < expected["partial"] < expected["solved"]
    scores = {student: float(row["score"]) for student, row in grades.items()}
    assert scores == expected, f"scores {scores}, expected {expected}"
    partial = grades_by_cell(root, "partial")
    for name in graded_notebooks():
        for cell in auto_graded(course()[name]):
            key = (name, cell.metadata.nbgrader["grade_id"])
            want = partial[key]["max_score"] if name in partly_solved() else 0
            assert partial[key]["auto_score"] == want, f"partial, {key}: {partial[key]}"
    print("\nnbgrader: one autograde run for " + ", ".join(f"{s} {v:g}" for s, v in scores.items())
          + f" of {expected['solved']} automatic points")


def test_every_check_scores_full_on_the_solution_and_zero_untouched(graded):
    root, _ = graded
    solved, untouched = grades_by_cell(root, "solved"), grades_by_cell(root, "untouched")
    for name, nb in course().items():
        for cell in auto_graded(nb):
            key = (name, cell.metadata.nbgrader["grade_id"])
            assert solved[key]["auto_score"] == solved[key]["max_score"] > 0, f"{key} on the solution: {solved[key]}"
            assert untouched[key]["auto_score"] == 0, f"{key} untouched: {untouched[key]}"
            assert not solved[key]["needs_manual_grade"], f"{key}: an automatic check needs manual grading"


def test_hand_graded_answers_are_left_for_the_teacher(graded):
    root, _ = graded
    solved, untouched = grades_by_cell(root, "solved"), grades_by_cell(root, "untouched")
    waiting = []
    for name, nb in course().items():
        for cell in hand_graded(nb):
            key = (name, cell.metadata.nbgrader["grade_id"])
            # nbgrader cannot score a written answer: it waits for a teacher, with no points given.
            assert solved[key]["needs_manual_grade"], f"{key}: a written answer was scored automatically: {solved[key]}"
            assert not solved[key]["auto_score"], f"{key}: {solved[key]}"
            # An answer left as handed out is 0 without a teacher's look.
            assert not untouched[key]["auto_score"], f"{key} untouched: {untouched[key]}"
            waiting.append(f"{name} {key[1]} ({solved[key]['max_score']:g} points)")
    print("\nnbgrader: needs manual grading: " + (", ".join(waiting) if waiting else "nothing"))


def autograded(root, student):
    for name in graded_notebooks():
        nb = nbformat.read(root / "autograded" / student / "notebooks" / name, as_version=4)
        yield name, nb


def test_check_cells_say_pass_in_one_short_line(graded):
    root, _ = graded
    for name, nb in autograded(root, "solved"):
        for cell in auto_graded(nb):
            kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
            assert kinds == [("stream", "stdout")], f"{name} {cell.metadata.nbgrader['grade_id']}: {cell.outputs}"
            lines = cell.outputs[0].text.strip("\n").split("\n")
            assert len(lines) == 1 and lines[0].startswith("✔"), f"{name}: {lines}"


def test_check_cells_give_one_hint_without_a_stack_trace(graded):
    root, _ = graded
    for name, nb in autograded(root, "untouched"):
        for cell in auto_graded(nb):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert len(errors) == 1 and len(cell.outputs) == 1, f"{name}: {cell.outputs}"
            trace = errors[0].traceback
            assert len(trace) == 1 and "\tat " not in trace[0], f"{name}: a stack trace, not a hint:\n{trace}"
            assert len(errors[0].evalue) > 20, f"{name}: no hint: {errors[0].evalue!r}"


def test_solution_stubs_compile_and_say_todo(graded):
    root, _ = graded
    for name, nb in autograded(root, "untouched"):
        for cell in nbgrader_cells(nb, "solution"):
            if cell.cell_type != "code":
                continue
            text = " ".join(o.get("evalue", "") + " " + o.get("ename", "") for o in cell.outputs
                            if o.output_type == "error")
            # A stub in a statement cell throws TODO at once; a stub inside a method body
            # compiles quietly and throws only when the check cell calls it.
            assert not text or "UnsupportedOperationException" in text or "TODO" in text, \
                f"{name} {cell.metadata.nbgrader['grade_id']}: the stub should run and say TODO, got: {text}"
            assert "compile" not in text and "CompilationException" not in text, \
                f"{name} {cell.metadata.nbgrader['grade_id']}: the stub does not compile here: {text}"

