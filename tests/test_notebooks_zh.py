"""Every notebook of the Chinese edition (notebooks/zh-CN/) runs top to bottom on the real JJava
kernel, shows its key outputs (its own zh-CN/NN-x.expect, or the English notebook's) and leaves no
process behind: the English notebooks' test, run as a stage of its own beside them."""
import glob
import os

import pytest

import processes
from conftest import NOTEBOOKS
from test_notebooks import runs_and_shows_its_key_outputs

ALL = sorted("zh-CN/" + os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "zh-CN", "[0-9][0-9]-*.ipynb")))


@pytest.mark.parametrize("name", ALL)
def test_chinese_notebook_runs_and_shows_its_key_outputs(name):
    runs_and_shows_its_key_outputs(name)


def test_no_course_process_outlives_the_chinese_notebooks():
    me = os.getpid()
    gone = processes.wait_until(lambda: not processes.left_behind(me), 5)
    assert gone, f"still running after the notebooks: {processes.left_behind(me)}"
