"""Section 5: BatchNormalization, Dropout, augmentation and the learning-rate schedule."""

from __future__ import annotations

import math

import numpy as np

from cnn_course.checks import toolkit
from cnn_course.checks.cifar10 import reference, variants
from cnn_course.checks.cifar10._common import (
    _arrays,
    _call,
    _expect_base_layers,
    _expect_bn_after_convs,
    _expect_close_ref,
    _expect_probabilities,
    _flat_layers,
    _fresh,
    _short,
)
from cnn_course.checks.cifar10.reference import (
    BASELINE,
    INPUT_SHAPE,
)
from cnn_course.fmt import number, percent


# ---------------------------------------------------------------- 5a. BatchNormalization
def _bn_reference(x, gamma, beta, eps):
    import keras

    layer = keras.layers.BatchNormalization(epsilon=eps)
    layer.build(x.shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return np.asarray(layer(x, training=True))


def _check_bn_on(batchnorm_by_hand, x, gamma, beta, eps) -> None:
    ref = _bn_reference(x, gamma, beta, eps)
    call = f"batchnorm_by_hand(x de forma {x.shape}, gamma, beta, eps={eps})"
    got = _call(batchnorm_by_hand, "batchnorm_by_hand", call, x, gamma, beta, eps)
    toolkit.expect_shape(call, got, x.shape)
    _expect_close_ref(
        call,
        got,
        ref,
        tol=1e-4,
        hint=(
            " Media y varianza de cada canal sobre el lote, el alto y el ancho (axis=(0, 1, 2)); "
            "luego gamma·x̂ + beta, con eps dentro de la raíz."
        ),
    )


def check_batchnorm(batchnorm_by_hand) -> None:
    """Public: one small batch against Keras' BatchNormalization in training mode."""
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, (4, 5, 5, 3)).astype("float32")
    _check_bn_on(batchnorm_by_hand, x, np.ones(3, "float32"), np.zeros(3, "float32"), 1e-3)


BATCHNORM_CLASSES = (
    "canales de medias y escalas muy distintas, gamma y beta aleatorios, eps pequeño",
    "otro número de canales y un eps grande (eps dentro de la raíz)",
)
"""What ``batchnorm_by_hand`` must tell apart; :func:`batchnorm_cases` draws both on every seed."""


def batchnorm_cases(rng) -> list[tuple]:
    """``(x, gamma, beta, eps)`` of each class of :data:`BATCHNORM_CLASSES`, in order."""
    x = (rng.normal(size=(6, 3, 7, 5)) * [0.1, 1, 10, 100, 3] + [5, -2, 0, 40, 1]).astype("float32")
    gamma = rng.uniform(0.5, 2.0, 5).astype("float32")
    beta = rng.normal(size=5).astype("float32")
    return [(x, gamma, beta, 1e-5), (x[:, :, :, :2].copy(), gamma[:2], beta[:2], 1e-2)]


def hidden_batchnorm(batchnorm_by_hand, seed: int = 41) -> None:
    """Hidden: one case of each class of :data:`BATCHNORM_CLASSES`."""
    for x, gamma, beta, eps in batchnorm_cases(np.random.default_rng(seed)):
        _check_bn_on(batchnorm_by_hand, x, gamma, beta, eps)


def check_bn_model(model) -> None:
    """Public: the tutorial network with a BatchNormalization after every Conv2D."""
    layers = _expect_base_layers("bn_model", model)
    _expect_bn_after_convs("bn_model", layers)
    variants.expect_variant("bn_model", model, bn=True)


def hidden_bn_model(build_bn_model, seed: int = 9) -> None:
    """Hidden: a fresh model, the same structure, and a forward pass of probabilities."""
    model = _fresh(build_bn_model, "build_bn_model")
    layers = _expect_base_layers("build_bn_model()", model)
    _expect_bn_after_convs("build_bn_model()", layers)
    variants.expect_variant("build_bn_model()", model, bn=True)
    _expect_probabilities("build_bn_model()", model, INPUT_SHAPE, batch=4, seed=seed)


# ---------------------------------------------------------------- 5b. Dropout
def _check_dropout_on(dropout_demo, model, x) -> None:
    result = _call(
        dropout_demo, "dropout_demo", f"dropout_demo(model, x de forma {x.shape})", model, x
    )
    expected_shape = (len(x), model.outputs[0].shape[-1])
    try:
        outs = [np.asarray(r, dtype=np.float64) for r in result]
    except TypeError:
        outs = []
    if len(outs) != 4 or any(o.shape != expected_shape for o in outs):
        got = [o.shape for o in outs] if outs else _short(result)
        toolkit.fail("cifar10.dropout_result", expected=expected_shape, got=got)
    train_1, train_2, infer_1, infer_2 = outs
    if np.array_equal(train_1, train_2):
        toolkit.fail("cifar10.dropout_train_same")
    diff = float(np.max(np.abs(infer_1 - infer_2)))
    if diff > 1e-6:
        toolkit.fail("cifar10.dropout_infer_differs", error=diff)
    trusted = np.asarray(toolkit.trusted_copy(model)(x, training=False), dtype=np.float64)
    error = float(np.max(np.abs(infer_1 - trusted)))
    if error > 1e-5:
        toolkit.fail("cifar10.dropout_infer_wrong", error=error)
    gap = float(np.max(np.abs(train_1 - train_2)))
    print(
        f"dropout_demo: entrenamiento cambia entre llamadas (hasta {number(gap, 4)}); "
        "inferencia es siempre igual: correcto"
    )


def _check_scale(dropout_scale, rates) -> None:
    for rate in rates:
        call = f"dropout_scale({rate})"
        got = _call(dropout_scale, "dropout_scale", call, rate)
        try:
            value = float(got)
        except (TypeError, ValueError):
            toolkit.fail("common.wrong_type", name=call, expected="un número", got=_short(got))
        if not math.isclose(value, 1.0 / (1.0 - rate), rel_tol=1e-6):
            toolkit.fail("cifar10.dropout_scale", rate=rate, got=value)
    print(f"dropout_scale: {len(rates)} casos correctos")


def _small_dropout_model(units: int, rate: float, seed: int):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(units,)),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dropout(rate),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


def check_dropout(dropout_demo, dropout_scale) -> None:
    """Public: a small model with Dropout(0.5) on a batch of ones; the scale for rate 0.5."""
    model = _small_dropout_model(16, 0.5, seed=0)
    _check_dropout_on(dropout_demo, model, np.ones((4, 16), "float32"))
    _check_scale(dropout_scale, [0.5])


DROPOUT_RATES = (0.2, 0.25, 0.75, 0.1)
"""The rates ``dropout_scale`` is asked for on every seed: below and above one half, where
1/(1 − rate) and 1 − rate, rate or 1/rate all differ."""


def hidden_dropout(dropout_demo, dropout_scale, build_dropout_model, seed: int = 12) -> None:
    """Hidden: another small model and random inputs, the student's own Dropout model on
    CIFAR-shaped inputs, and the scale for other rates."""
    model = _small_dropout_model(24, 0.3, seed=seed)
    x = np.random.default_rng(seed).normal(size=(5, 24)).astype("float32")
    _check_dropout_on(dropout_demo, model, x)
    student = _fresh(build_dropout_model, "build_dropout_model")
    _expect_dropout_model("build_dropout_model()", student)
    x = np.random.default_rng(seed + 1).normal(size=(3, *INPUT_SHAPE)).astype("float32")
    _check_dropout_on(dropout_demo, student, x)
    _check_scale(dropout_scale, list(DROPOUT_RATES))


def _expect_dropout_model(call: str, model) -> None:
    layers = _expect_base_layers(call, model)
    rates = [layer.rate for layer in layers if type(layer).__name__ == "Dropout"]
    if not rates or not all(0 < r < 1 for r in rates):
        toolkit.fail("cifar10.dropout_missing", call=call, got=rates or "ninguna")
    toolkit.expect_param_count(model, BASELINE.params, call=call, reveal=False)
    variants.expect_variant(call, model, dropout=True)


def check_dropout_model(model) -> None:
    """Public: the tutorial network with at least one Dropout, same parameters."""
    _expect_dropout_model("dropout_model", model)


# ---------------------------------------------------------------- 5c. augmentation
def _random_layers(layers) -> list:
    return [layer for layer in layers if type(layer).__name__ in reference.RANDOM_KINDS]


def _expect_no_vertical_flip(call: str, layers) -> None:
    for layer in layers:
        if type(layer).__name__ == "RandomFlip" and layer.mode != "horizontal":
            toolkit.fail("cifar10.aug_vertical", call=call, mode=layer.mode)


def _check_augmentation_on(call: str, augmentation, x) -> None:
    import keras

    if not isinstance(augmentation, keras.layers.Layer):
        toolkit.fail("common.not_a_model", name=call, got=type(augmentation).__name__)
    layers = _flat_layers(augmentation) if hasattr(augmentation, "layers") else [augmentation]
    if not _random_layers(layers):
        toolkit.fail("cifar10.aug_none", call=call)
    _expect_no_vertical_flip(call, layers)
    try:
        infer = np.asarray(augmentation(x, training=False))
        train_1 = np.asarray(augmentation(x, training=True))
        train_2 = np.asarray(augmentation(x, training=True))
    except Exception as exc:  # the student's layers may raise anything
        toolkit.fail("common.crash", call=f"{call}(x)", error=toolkit.short(exc))
    for out in (infer, train_1):
        if out.shape != x.shape:
            toolkit.fail("cifar10.aug_shape", call=call, expected=x.shape, got=out.shape)
    error = float(np.max(np.abs(infer - x)))
    if error > 1e-5:
        toolkit.fail("cifar10.aug_inference", call=call, error=error)
    if np.allclose(train_1, x):
        toolkit.fail("cifar10.aug_static", call=call, what="las imágenes sin cambios")
    if np.array_equal(train_1, train_2):
        toolkit.fail("cifar10.aug_static", call=call, what="dos veces las mismas copias")
    changed = np.mean(np.any(np.abs(train_1 - x) > 1e-6, axis=(1, 2, 3)))
    print(
        f"{call}: {percent(changed, 0)} de las imágenes cambian en entrenamiento, ninguna en inferencia"
    )


def check_augmentation(augmentation) -> None:
    """Public: 16 real test images, normalised."""
    _, _, x_test, _ = _arrays()
    x_train, _, x_test, _ = _arrays()
    mean, std = reference.channel_stats(x_train[:1000])
    x = reference.normalise(x_test[::625][:16], mean, std)
    _check_augmentation_on("augmentation", augmentation, x)


def _expect_augmented_model(call: str, model) -> None:
    layers = _expect_base_layers(call, model)
    if not _random_layers(layers):
        toolkit.fail("cifar10.aug_none", call=call)
    _expect_no_vertical_flip(call, layers)
    last_random = layers.index(_random_layers(layers)[-1])
    first_conv = next(i for i, layer in enumerate(layers) if type(layer).__name__ == "Conv2D")
    if last_random > first_conv:
        toolkit.fail("cifar10.aug_first", call=call, index=first_conv + 1, layer="Conv2D")
    toolkit.expect_param_count(model, BASELINE.params, call=call, reveal=False)
    variants.expect_variant(call, model)


def check_augmented_model(model) -> None:
    """Public: the tutorial network with augmentation layers first, same parameters."""
    _expect_augmented_model("augmented_model", model)


def hidden_augmentation(build_augmentation, build_augmented_model, seed: int = 21) -> None:
    """Hidden: a fresh augmentation on random images of another batch size, and a fresh
    augmented model that is random in training and deterministic in inference."""
    augmentation = _call(build_augmentation, "build_augmentation", "build_augmentation()")
    x = np.random.default_rng(seed).normal(size=(24, *INPUT_SHAPE)).astype("float32")
    _check_augmentation_on("build_augmentation()", augmentation, x)
    model = _fresh(build_augmented_model, "build_augmented_model")
    _expect_augmented_model("build_augmented_model()", model)
    a = np.asarray(model(x, training=False))
    b = np.asarray(model(x, training=False))
    if not np.allclose(a, b, atol=1e-6):
        toolkit.fail(
            "cifar10.aug_inference",
            call="build_augmented_model()",
            error=float(np.max(np.abs(a - b))),
        )


# ---------------------------------------------------------------- 5d. learning-rate schedule
def _keras_cosine(step, total, lr0) -> float:
    import keras

    return float(keras.optimizers.schedules.CosineDecay(lr0, total)(step))


def _check_lr_cases(cosine_lr, cases) -> None:
    for step, total, lr0 in cases:
        call = f"cosine_lr({step}, {total}, {lr0})"
        got = _call(cosine_lr, "cosine_lr", call, step, total, lr0)
        try:
            value = float(got)
        except (TypeError, ValueError):
            toolkit.fail("common.wrong_type", name=call, expected="un número", got=_short(got))
        expected = _keras_cosine(step, total, lr0)
        if not abs(value - expected) <= 1e-5 * lr0:
            hint = ""
            if step > total:
                hint = " Pasado el último paso, CosineDecay se queda en su valor final."
            toolkit.fail("cifar10.lr_case", step=step, total=total, lr0=lr0, got=value, hint=hint)
    print(f"cosine_lr: {len(cases)} casos iguales a CosineDecay de Keras")


def check_lr_schedule(cosine_lr) -> None:
    """Public: start, middle and end of a 100-step decay."""
    _check_lr_cases(cosine_lr, [(0, 100, 1e-3), (50, 100, 1e-3), (100, 100, 1e-3)])


LR_CLASSES = (
    "el paso 0 (lr0)",
    "un paso intermedio donde el coseno y una recta difieren",
    "el último paso (step == total: 0)",
    "un paso después del final (step > total: se queda en 0)",
)
"""What ``cosine_lr`` must tell apart; :func:`lr_cases` draws one case of each on every
seed, with random totals and learning rates, then random steps on top."""


def lr_cases(rng) -> list[tuple[int, int, float]]:
    """``(step, total, lr0)``: the classes of :data:`LR_CLASSES` in order, then 8 random."""

    def lr0() -> float:
        return float(rng.choice([3e-3, 0.01, 0.1, 0.5]))

    totals = [int(t) for t in rng.integers(8, 5000, 4)]
    t1 = totals[1]
    cases = [
        (0, totals[0], lr0()),
        (int(rng.integers(t1 // 8, 3 * t1 // 8 + 1)), t1, lr0()),
        (totals[2], totals[2], lr0()),
        (totals[3] + int(rng.integers(1, totals[3] + 1)), totals[3], lr0()),
    ]
    for _ in range(8):
        total = int(rng.integers(5, 5000))
        cases.append((int(rng.integers(0, total + 1)), total, lr0()))
    return cases


def hidden_lr_schedule(cosine_lr, seed: int = 77) -> None:
    """Hidden: one case of each class of :data:`LR_CLASSES`, then a random grid."""
    _check_lr_cases(cosine_lr, lr_cases(np.random.default_rng(seed)))
