"""cnn-course: a Spanish-language exercise pack on convolutional neural networks.

Student notebooks import only :mod:`cnn_course.data`, :mod:`cnn_course.checks`
and :mod:`cnn_course.runtime`; grading code lives in :mod:`cnn_course.grade`
and needs the ``grading`` extra.
"""

__version__ = "0.1.0"
