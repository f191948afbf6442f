"""Teacher's batch grading on nbgrader: pre-flight repairs, parallel autograde, feedback, report.

Needs the ``grading`` extra (nbgrader, Dask). Layout:

- :mod:`~cnn_course.grade.collect`: submissions from a folder or an LMS zip, roster;
- :mod:`~cnn_course.grade.assignment`: the release and a pristine gradebook, built once;
- :mod:`~cnn_course.grade.preflight` and :mod:`~cnn_course.grade.preprocessors`:
  check and repair one notebook against the release, one preprocessor per repair
  (:mod:`~cnn_course.grade.cells` says when a cell is certainly a release cell);
- :mod:`~cnn_course.grade.worker`: grade one submission (a pure function), in a
  temporary course (:mod:`~cnn_course.grade.course`) under a time and memory
  limit (:mod:`~cnn_course.grade.sandbox`), its whole process tree in a cgroup
  (:mod:`~cnn_course.grade.cgroup`) with the limits of :mod:`~cnn_course.grade.limits`;
- :mod:`~cnn_course.grade.batch`: run the jobs on processes or Dask, merge, write;
- :mod:`~cnn_course.grade.report`: grades.csv, the teacher's report, the table;
- :mod:`~cnn_course.grade.findings`: what was found, with its Spanish message.
"""

from cnn_course.grade.command import add_arguments, main

__all__ = ["add_arguments", "main"]
