"""MNIST graded out of the kernel: the inputs the grader draws and its judge of each cell.

The hidden cells only record (``_c.record(grade_id, ...)``); each judge below runs in
the grader's own process on those records, with the grader's data and profile, and
reuses the session's checks with :class:`~cnn_course.checks.toolkit.records.Replay`
standing for the student's functions.
"""

from __future__ import annotations

from cnn_course.checks import mnist, toolkit
from cnn_course.checks.toolkit.grading import Cell, Plan
from cnn_course.checks.toolkit.records import Replay


def _plan_preprocess(rng) -> Plan:
    x = mnist.preprocess_case(rng)
    plan = Plan(extra={"x": x})
    plan.call("preprocess", plan.array("x", x))
    # pad_to_32 gets the reference preprocessing, so each function is judged on its own.
    plan.call("pad_to_32", plan.array("x01", mnist._reference_preprocess(x)))
    return plan


def _judge_preprocess(records, plan: Plan, profile: str) -> None:
    mnist._check_preprocess_on(Replay(records, [0]), Replay(records, [1]), plan.extra["x"])


def _plan_formulas(rng) -> Plan:
    sizes, params = mnist.formula_cases(rng)
    plan = Plan(extra={"sizes": sizes, "params": params})
    for args, _ in sizes:
        plan.call("conv_output_size", *args)
    for args, _ in params:
        plan.call("conv_params", *args)
    return plan


def _judge_formulas(records, plan: Plan, profile: str) -> None:
    sizes, params = plan.extra["sizes"], plan.extra["params"]
    first = Replay(records, range(len(sizes)))
    second = Replay(records, range(len(sizes), len(sizes) + len(params)))
    mnist.expect_formulas(first, second, sizes, params)


def _judge_shapes(records, plan: Plan, profile: str) -> None:
    mnist.check_shapes_by_hand(records.value("shapes"), records.value("total"))


def _judge_model(records, plan: Plan, profile: str) -> None:
    mnist.check_model(records.model("model"))


def _judge_accuracy(records, plan: Plan, profile: str) -> None:
    mnist.check_accuracy(records.model("model"), profile)


def _plan_confusion(rng) -> Plan:
    cases = mnist.confusion_cases(rng)
    plan = Plan(extra={"cases": cases})
    for i, (y_true, y_pred, k) in enumerate(cases):
        plan.call(
            "confusion_matrix",
            plan.array(f"y_true{i}", y_true),
            plan.array(f"y_pred{i}", y_pred),
            k,
        )
    return plan


def _judge_confusion(records, plan: Plan, profile: str) -> None:
    for i, (y_true, y_pred, k) in enumerate(plan.extra["cases"]):
        call = f"confusion_matrix(y_true, y_pred, {k})"
        got, _ = toolkit.call_case(Replay(records, [i]), call)
        mnist.expect_confusion(got, y_true, y_pred, k)


def _judge_binary(records, plan: Plan, profile: str) -> None:
    mnist.check_binary(records.model("binary_model"))


def _judge_lenet(records, plan: Plan, profile: str) -> None:
    mnist.check_lenet(records.model("lenet"), records.value("lenet_total"))


CELLS = {
    "test-preprocess": Cell(_judge_preprocess, _plan_preprocess),
    "test-formulas": Cell(_judge_formulas, _plan_formulas),
    "test-shapes-by-hand": Cell(_judge_shapes),
    "test-model": Cell(_judge_model),
    "test-accuracy": Cell(_judge_accuracy),
    "test-confusion": Cell(_judge_confusion, _plan_confusion),
    "test-binary": Cell(_judge_binary),
    "test-lenet": Cell(_judge_lenet),
}
