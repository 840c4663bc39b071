# nbgrader settings for handing out and grading the course's exercises.
#
# The course notebooks themselves are the instructor's version: one assignment named `notebooks`
# whose source is {root}/notebooks (source_directory "."). So, from the repository's root:
#   nbgrader generate_assignment notebooks   -> release/notebooks/      (`make assignment`)
#   nbgrader autograde notebooks             <- submitted/<student>/notebooks/
#   nbgrader generate_feedback notebooks     -> feedback/<student>/notebooks/
#   nbgrader export                          -> grades.csv
import os

c = get_config()  # noqa: F821 (nbgrader supplies it)

c.CourseDirectory.source_directory = "."

# A solution region becomes this stub. It must compile in JShell (nbgrader's default Java stub
# does not), and running it says plainly that the exercise is still open.
c.ClearSolutions.code_stub = {
    "java": '// YOUR CODE HERE\nthrow new UnsupportedOperationException("TODO");',
}

# Each notebook runs in a JVM of its own (JJava), and cells start child JVMs: 30 s (the default)
# is too little on a busy machine.
c.Execute.timeout = 180
c.Execute.startup_timeout = 180

# Graded copies live in submitted/<student>/notebooks/ and autograded/<student>/notebooks/, where
# the notebooks' `%classpath ../lib/target/ipclab.jar` finds no jar. The notebook's JVM loads the
# course library from here instead (JJava reads JJAVA_CLASSPATH at start; a %classpath that matches no
# file does nothing).
_root = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("JJAVA_CLASSPATH", os.path.join(_root, "lib", "target", "ipclab.jar"))
