"""nbgrader configuration of the course, used by `cnn-course release`, `validate` and `grade`.

Paths are relative to the repository root, which `cnn_course.release` passes as
CourseDirectory.root. Profile-dependent values (execution timeout) are set per
call from autograder/budgets.toml.
"""

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "cnn-course"
# nbgrader's source and release steps are this repository's two notebook folders.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# What a student sees where the solution was.
c.ClearSolutions.code_stub = {"python": "# TU CÓDIGO AQUÍ\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "ESCRIBE AQUÍ TU RESPUESTA"

# nbgrader's own pipeline, then the course's stamp (badge, runtime story, setup, hand-in).
# The stamp comes last so that its cells are never part of the gradebook's checksums.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
    "cnn_course.stamp.StampColab",
]

# The course's public repository and the ref students install and open in Colab: a tag
# or a commit, never a branch. Set both before the first release (see README, For TAs),
# tag that commit (`git tag v0.1.0 && git push --tags`), then `cnn-course release`.
c.StampColab.repository = "https://github.com/cnn-course/cnn-course"
c.StampColab.ref = "v0.1.0"

# Keras progress bars must not flood a notebook: cap every cell's output.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 100

# Execution: a cell that exceeds the budget's timeout is interrupted and marked
# as an error, and the rest of the notebook still runs (nbgrader allows errors).
c.Execute.interrupt_on_timeout = True
