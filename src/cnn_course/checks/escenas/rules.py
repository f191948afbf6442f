"""The challenge's rules, each worth its own points, checked on a Keras model.

Rule 1: a CNN built from the allowed layer families, with at least one convolution.
Rule 2: no pre-trained weights. Detected by structure, not by the weights themselves
(the grader has no ImageNet weights to compare with): the model or a nested model named as
``keras.applications`` names its models (``vgg16``, ``resnet50``, ``mobilenetv2_1.00_224``,
``efficientnetb0``...), or three or more layer names that are fingerprints of those
architectures (``block1_conv1``, ``conv1_conv``, ``expanded_conv_project``...).
Limits, said in the notebook: renaming every layer, or copying weights by hand into one's
own layers, escapes it; the teacher's private images and a look at the code remain.
Rule 3: at most ``max_params`` parameters (the budget table), trainable or not.
Rule 4: a fixed colour input ``(h, w, 3)`` with ``min_side <= h, w <= max_side``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cnn_course import sessions
from cnn_course.fmt import number
from cnn_course.messages import msg

SESSION = "escenas"

CONVOLUTIONS = frozenset({"Conv2D", "SeparableConv2D", "DepthwiseConv2D"})
ALLOWED = frozenset(
    CONVOLUTIONS
    | {
        # structure
        "InputLayer",
        "Sequential",
        "Functional",
        "BatchNormalization",
        "LayerNormalization",
        "MaxPooling2D",
        "AveragePooling2D",
        "GlobalAveragePooling2D",
        "GlobalMaxPooling2D",
        "ZeroPadding2D",
        "Dropout",
        "SpatialDropout2D",
        "Dense",
        "Flatten",
        "Add",
        "Concatenate",
        "Multiply",
        # activations
        "Activation",
        "ReLU",
        "LeakyReLU",
        "ELU",
        "PReLU",
        "Softmax",
        # preprocessing and augmentation
        "Rescaling",
        "Resizing",
        "CenterCrop",
        "Normalization",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
        "RandomBrightness",
        "RandomCrop",
    }
)
FAMILIES = (
    "Conv2D/SeparableConv2D/DepthwiseConv2D, BatchNormalization, MaxPooling2D/AveragePooling2D, "
    "GlobalAveragePooling2D, Dropout, Dense, Flatten, Rescaling/Resizing, capas Random* de "
    "aumento de datos, Activation/ReLU, Add/Concatenate"
)

# The names keras.applications gives its models, lower case without punctuation
# ("mobilenetv2_1.00_224" -> "mobilenetv2100224"; Keras may append "_1" to a repeated name).
APPLICATION_NAME = re.compile(
    r"^(vgg(16|19)|resnet(50|101|152)(v2)?|resnetrs\d+|mobilenet(v2|v3small|v3large)?"
    r"|efficientnet(b[0-7]|v2(b[0-3]|s|m|l))|densenet(121|169|201)|inceptionv3"
    r"|inceptionresnetv2|xception|nasnet(mobile|large)?|convnext(tiny|small|base|large|xlarge)"
    r"|regnet[xy]\d+)\d*$"
)
# Layer names that the architectures of keras.applications use and a hand-made CNN
# rarely does; three of them in one model are a copied backbone.
APPLICATION_LAYERS = frozenset(
    {
        "block1_conv1",
        "block1_conv2",
        "block2_conv1",
        "block5_conv3",
        "conv1_conv",
        "conv1_pad",
        "conv1_bn",
        "conv2_block1_1_conv",
        "pool1_pad",
        "stem_conv",
        "stem_bn",
        "stem_activation",
        "block1a_dwconv",
        "top_conv",
        "bn_conv1",
        "expanded_conv_depthwise",
        "expanded_conv_project",
        "conv_dw_1",
        "conv_pw_1",
        "conv_pw_13",
        "mixed0",
        "mixed10",
        "block1_conv1_bn",
        "block14_sepconv2",
        "out_relu",
    }
)
FINGERPRINTS_NEEDED = 3


@dataclass(frozen=True)
class Rule:
    """One rule of the challenge: its key and the points it costs when broken."""

    key: str
    title: str
    points: int


RULES = (
    Rule("cnn", "una CNN propia, con las capas permitidas y al menos una convolución", 2),
    Rule("pretrained", "sin pesos preentrenados", 2),
    Rule("params", "como mucho el tope de parámetros", 1),
    Rule("input", "entrada en color de tamaño fijo, 150 × 150 × 3 o menor", 1),
)
RULE_POINTS = {r.key: r.points for r in RULES}
TOTAL_POINTS = sum(RULE_POINTS.values())


@dataclass(frozen=True)
class Broken:
    """A broken rule: its key, the points it costs and the Spanish message naming it."""

    rule: str
    points: int
    message: str


def points_text(points: int) -> str:
    """«1 punto», «2 puntos»."""
    return f"{points} punto" if points == 1 else f"{points} puntos"


def limits() -> dict[str, int]:
    """The rules' numbers from the budget table: ``max_params``, ``min_side``, ``max_side``."""
    return {k: int(sessions.threshold(SESSION, k)) for k in ("max_params", "min_side", "max_side")}


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def walk(model, path: str = "") -> list[tuple[str, object]]:
    """``(path, layer)`` of every layer, nested models included (and their own layers)."""
    out = []
    for layer in getattr(model, "layers", []):
        where = f"{path}/{layer.name}" if path else layer.name
        out.append((where, layer))
        if hasattr(layer, "layers"):
            out += walk(layer, where)
    return out


def _pretrained(model) -> str | None:
    """Why ``model`` looks like a keras.applications backbone, or None."""
    named = [(model.name, model)] + [(p, m) for p, m in walk(model) if hasattr(m, "layers")]
    for where, nested in named:
        if APPLICATION_NAME.match(_normal(nested.name)):
            return f"«{where}» es un modelo con el nombre de uno de keras.applications."
    prints = sorted({layer.name for _, layer in walk(model)} & APPLICATION_LAYERS)
    if len(prints) >= FINGERPRINTS_NEEDED:
        shown = ", ".join(prints[:5])
        return (
            f"el modelo tiene {len(prints)} capas con los nombres de las arquitecturas de "
            f"keras.applications ({shown})."
        )
    return None


def _input_shape(model) -> tuple | None:
    try:
        shape = model.inputs[0].shape
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    return tuple(None if d is None else int(d) for d in shape)


def broken_rules(model) -> list[Broken]:
    """Every rule ``model`` breaks, in the order of :data:`RULES` (empty: all kept)."""
    numbers = limits()
    found: list[Broken] = []
    layers = walk(model)

    def add(rule: str, key: str, **values) -> None:
        points = RULE_POINTS[rule]
        found.append(Broken(rule, points, msg(key, points=points_text(points), **values)))

    odd = [(p, type(layer).__name__) for p, layer in layers if type(layer).__name__ not in ALLOWED]
    if odd:
        add("cnn", "escenas.rule_layer", layer=odd[0][0], kind=odd[0][1], allowed=FAMILIES)
    elif not any(type(layer).__name__ in CONVOLUTIONS for _, layer in layers):
        add("cnn", "escenas.rule_no_conv")
    why = _pretrained(model)
    if why:
        add("pretrained", "escenas.rule_pretrained", what=why)
    params = int(model.count_params())
    if params > numbers["max_params"]:
        add("params", "escenas.rule_params", cap=numbers["max_params"], got=params)
    shape = _input_shape(model)
    low, high = numbers["min_side"], numbers["max_side"]
    ok = (
        shape is not None
        and len(shape) == 4
        and shape[3] == 3
        and all(isinstance(d, int) and low <= d <= high for d in shape[1:3])
    )
    if not ok:
        got = "desconocida" if shape is None else str(shape)
        add("input", "escenas.rule_input", low=low, high=high, got=got)
    return found


def rules_text() -> str:
    """The rules as the notebook states them: number, rule and points, from this table."""
    numbers = limits()
    lines = []
    for i, rule in enumerate(RULES, start=1):
        title = rule.title
        if rule.key == "params":
            title = f"como mucho {number(numbers['max_params'])} parámetros"
        if rule.key == "input":
            title = (
                f"entrada (alto, ancho, 3) de tamaño fijo, con lados entre {numbers['min_side']} "
                f"y {numbers['max_side']} píxeles"
            )
        lines.append(f"Regla {i} ({points_text(rule.points)}): {title}")
    return "\n".join(lines)
