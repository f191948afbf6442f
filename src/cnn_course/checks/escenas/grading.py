"""The natural-scenes challenge graded out of the kernel: inputs drawn by the grader and
its judge of each cell.

- ``test-duplicates``: the student's ``find_duplicates`` on files the grader wrote;
- ``test-rules``: each broken rule costs its own points (:data:`.rules.RULES`);
- ``test-accuracy``: accuracy measured here on the teacher's labelled images, a share of
  the points per grade band reached (budget table); none for a model outside the rules;
  what was measured travels with the verdict for the leaderboard;
- ``test-gradcam``: the student's Grad-CAM on a fixed model against the reference.
"""

from __future__ import annotations

import math

from cnn_course import runtime
from cnn_course.checks import toolkit
from cnn_course.checks.escenas import NUM_CLASSES, duplicates, expect_output, gradcam, heldout
from cnn_course.checks.escenas import rules as rules_mod
from cnn_course.checks.toolkit.grading import Cell, Outcome, Plan
from cnn_course.checks.toolkit.records import RecordError, Replay
from cnn_course.fmt import listing, percent
from cnn_course.messages import msg

SESSION = "escenas"


def _plan_duplicates(rng) -> Plan:
    files = duplicates.case(rng)
    plan = Plan(extra={"files": files})
    plan.call("find_duplicates", [plan.file(name, content) for name, content in files.items()])
    return plan


def _judge_duplicates(records, plan: Plan, profile: str) -> None:
    got, _ = toolkit.call_case(Replay(records, [0]), "find_duplicates")
    duplicates.expect_groups(got, plan.extra["files"])


def _plan_gradcam(rng) -> Plan:
    model, images, calls = gradcam.case(rng)
    plan = Plan(extra={"model": model, "images": images, "calls": calls})
    model_spec, images_spec = plan.model("fixed", model), plan.array("images", images)
    for class_index in calls:
        plan.call("gradcam", model_spec, images_spec, gradcam.LAYER, class_index=class_index)
    return plan


def _judge_gradcam(records, plan: Plan, profile: str) -> None:
    model, images = plan.extra["model"], plan.extra["images"]
    for i, class_index in enumerate(plan.extra["calls"]):
        got, _ = toolkit.call_case(Replay(records, [i]), "gradcam")
        gradcam.expect_gradcam(got, model, images, class_index)


def rules_outcome(model) -> Outcome | None:
    """None when every rule is kept; else the share of the points left and every message."""
    broken = rules_mod.broken_rules(model)
    if not broken:
        return None
    lost = sum(b.points for b in broken)
    reason = msg(
        "escenas.rules_summary",
        lost=lost,
        total=rules_mod.TOTAL_POINTS,
        details=" ".join(b.message for b in broken),
    )
    labels = [f"regla {_rule_number(b.rule)}" for b in broken]
    return Outcome(1 - lost / rules_mod.TOTAL_POINTS, reason, {"broken": labels})


def _judge_rules(records, plan: Plan, profile: str) -> Outcome | None:
    model = records.model("model")
    toolkit.expect_built("model", model)
    return rules_outcome(model)


def _train_seconds(records) -> float | None:
    """What the notebook says its training took (the student's figure: shown, never ranked)."""
    try:
        value = records.value("train_seconds")
    except RecordError:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def accuracy_outcome(model, profile: str, train_seconds: float | None = None) -> Outcome:
    """Points by band of the accuracy measured on the teacher's set; 0 outside the rules."""
    toolkit.expect_built("model", model)
    params = int(model.count_params())
    facts = {"params": params, "train_seconds": train_seconds}
    broken = rules_mod.broken_rules(model)
    if broken:
        facts["broken"] = [f"regla {_rule_number(b.rule)}" for b in broken]
        names = ", ".join(f"la {label}" for label in facts["broken"])
        return Outcome(0.0, msg("escenas.accuracy_rules", rules=names), facts)
    expect_output(model)
    limits = heldout.bands(profile)
    per_class = runtime.budget(SESSION, profile).test_size // NUM_CLASSES
    measured = heldout.measure(model, per_class)
    acc = measured["accuracy"]
    got = heldout.reached(acc, limits)
    facts.update(
        accuracy=acc,
        images=measured["images"],
        origin=measured["origin"],
        band=got,
        bands=len(limits),
    )
    if got == len(limits):
        return Outcome(1.0, None, facts)
    if got == 0:
        reason = msg("escenas.accuracy_none", got=acc, profile=profile, first=limits[0])
    else:
        shown = listing(percent(b, 0) for b in limits)
        reason = msg(
            "escenas.accuracy_band",
            got=acc,
            reached=got,
            bands=len(limits),
            profile=profile,
            limits=shown,
        )
    return Outcome(got / len(limits), reason, facts)


def _rule_number(key: str) -> int:
    return [r.key for r in rules_mod.RULES].index(key) + 1


def _judge_accuracy(records, plan: Plan, profile: str) -> Outcome:
    return accuracy_outcome(records.model("model"), profile, _train_seconds(records))


CELLS = {
    "test-duplicates": Cell(_judge_duplicates, _plan_duplicates),
    "test-rules": Cell(_judge_rules),
    "test-accuracy": Cell(_judge_accuracy),
    "test-gradcam": Cell(_judge_gradcam, _plan_gradcam),
}
