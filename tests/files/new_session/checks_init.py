"""Checks of the throwaway session the layout test adds (copied to checks/tiny/__init__.py)."""

from cnn_course.checks import toolkit


def check_square(square) -> None:
    """Public: the worked example."""
    toolkit.expect_cases("square", square, [((3,), 9)])


def hidden_square(square) -> None:
    """Hidden: other numbers, negative included."""
    toolkit.expect_cases("square", square, [((-4,), 16), ((11,), 121)])
    if square(2) != 4:
        toolkit.fail("tiny.wrong", got=square(2))
