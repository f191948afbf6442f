"""``python -m cnn_course.grade``: the same as ``cnn-course grade``."""

import sys

from cnn_course.grade.command import build_parser, main

sys.exit(main(build_parser().parse_args()))
