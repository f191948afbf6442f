"""Mistake catalogue of «Arquitecturas clásicas»: at least three plausible wrong answers per
grade cell (the trained U-Net's segmentation: its own test below), each rejected by the
hidden judge on 50 seeds (the formula cells draw their cases per seed; the model cells'
calls do not depend on the seed, so one judgement stands for all 50) and by the public
check where its example can show it; the solution earns every cell. VGG16 and ResNet-18 build models of tens of millions of weights: marked slow."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers
from mistakes import Mistake, assert_catalogue, assert_trained, fresh, run

from cnn_course.checks.arquitecturas.reference import alexnet_ops, build_from_plan, vgg16_ops
from cnn_course.checks.toolkit import lenet5_ops
from cnn_course.checks.toolkit.tracing import solution_namespace


@pytest.fixture(scope="module")
def sol() -> dict:
    return dict(solution_namespace("05_arquitecturas"))


def block(x, filters, stride=1, bn_after_add=False, relu_before_add=False, stride_second=False):
    """A residual block with one of the usual slips."""
    first, second = (1, stride) if stride_second else (stride, 1)
    y = layers.Conv2D(filters, 3, strides=first, padding="same", use_bias=False)(x)
    y = layers.Activation("relu")(layers.BatchNormalization()(y))
    y = layers.Conv2D(filters, 3, strides=second, padding="same", use_bias=False)(y)
    if not bn_after_add:
        y = layers.BatchNormalization()(y)
    if relu_before_add:
        y = layers.Activation("relu")(y)
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.BatchNormalization()(
            layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        )
    y = layers.Add()([y, shortcut])
    if bn_after_add:
        y = layers.BatchNormalization()(y)
    return layers.Activation("relu")(y)


def inception(x, f1, f3r, f3, f5r, f5, fp, order=(0, 1, 2, 3), relu_reduce=True, pool_proj=True):
    def conv(t, f, k, act="relu"):
        return layers.Conv2D(f, k, padding="same", activation=act)(t)

    reduce_act = "relu" if relu_reduce else None
    pool = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    branches = [
        conv(x, f1, 1),
        conv(conv(x, f3r, 1, reduce_act), f3, 3),
        conv(conv(x, f5r, 1, reduce_act), f5, 5),
        conv(pool, fp, 1) if pool_proj else pool,
    ]
    return layers.Concatenate()([branches[i] for i in order])


def deep_stack(add_after_relu=False, ignore_residual=False):
    def build(depth, residual, input_shape=(28, 28, 1), filters=16, num_classes=10):
        residual = residual and not ignore_residual
        inputs = keras.Input(shape=input_shape)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
        for _ in range((depth - 2) // 2):
            y = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
            y = layers.Conv2D(filters, 3, padding="same")(y)
            if residual and not add_after_relu:
                y = layers.Add()([x, y])
            y = layers.Activation("relu")(y)
            x = layers.Add()([x, y]) if residual and add_after_relu else y
        x = layers.GlobalAveragePooling2D()(x)
        return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))

    return build


def unet(momentum=0.9, skip_first=False, relu_first=False):
    def build(input_shape=(28, 28, 1), base_filters=16):
        def conv_block(x, filters):
            for _ in range(2):
                x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
                if relu_first:
                    x = layers.BatchNormalization(momentum=momentum)(layers.ReLU()(x))
                else:
                    x = layers.ReLU()(layers.BatchNormalization(momentum=momentum)(x))
            return x

        def join(up, skip):
            return layers.Concatenate()([skip, up] if skip_first else [up, skip])

        f = base_filters
        inputs = keras.Input(shape=input_shape)
        c1 = conv_block(inputs, f)
        c2 = conv_block(layers.MaxPooling2D(2)(c1), 2 * f)
        bottom = conv_block(layers.MaxPooling2D(2)(c2), 4 * f)
        up2 = layers.Conv2DTranspose(2 * f, 2, strides=2, padding="same")(bottom)
        c3 = conv_block(join(up2, c2), 2 * f)
        up1 = layers.Conv2DTranspose(f, 2, strides=2, padding="same")(c3)
        c4 = conv_block(join(up1, c1), f)
        return keras.Model(inputs, layers.Conv2D(1, 1, activation="sigmoid")(c4))

    return build


def _plan_builder(ops_of, activation="relu", fixed_shape=None, fixed_classes=None):
    def build(input_shape=None, num_classes=None):
        shape = fixed_shape or input_shape
        return build_from_plan(shape, ops_of(fixed_classes or num_classes), activation)

    return build


def _light(S: dict, arch) -> list[Mistake]:
    cp, cm, im = S["conv_params"], S["conv_macs"], S["inception_macs"]
    mm = S["model_macs"]

    def alexnet_valid(n):
        ops = alexnet_ops(n)
        ops[2] = ("conv", 256, 5, 1, "valid", "relu")
        return ops

    def macs_transpose_as_conv(model):
        total = 0
        for layer in model.layers:
            if isinstance(layer, layers.Conv2D):  # Conv2DTranspose too: by its output
                _, h, w, _ = layer.output.shape
                kh, kw = layer.kernel_size
                total += h * w * kh * kw * layer.input.shape[-1] * layer.filters
            elif isinstance(layer, layers.Dense):
                total += layer.input.shape[-1] * layer.units
        return int(total)

    def macs_no_dense(model):
        return mm(model) - sum(
            lr.input.shape[-1] * lr.units for lr in model.layers if isinstance(lr, layers.Dense)
        )

    def public_formulas(s):
        arch.check_param_formulas(s["conv_params"], s["dense_params"])

    def public_stack(s):
        arch.check_vgg_stack(s["receptive_field"], s["stack_params"])

    def public_macs(s):
        arch.check_inception_macs(s["conv_macs"], s["inception_macs"])

    def public_block(s):
        arch.check_residual_block(s["residual_block"])

    def public_inception(s):
        arch.check_inception_module(s["inception_module"])

    lenet = lambda **kw: _plan_builder(lambda n: lenet5_ops(n, c5="conv"), "tanh", **kw)  # noqa: E731
    return [
        Mistake("test-param-formulas", "use_bias ignorado", {"conv_params": lambda f, m, k, use_bias=True: cp(f, m, k)}),
        Mistake("test-param-formulas", "Dense sin sesgo", {"dense_params": lambda i, u: i * u}, public_formulas),
        Mistake("test-param-formulas", "F sin elevar al cuadrado",
                {"conv_params": lambda f, m, k, use_bias=True: f * m * k + (k if use_bias else 0)}, public_formulas),
        Mistake("test-build-lenet5", "ReLU en vez de tanh", {"build_lenet5": _plan_builder(lambda n: lenet5_ops(n, c5="conv", activation="relu"), "relu")},
                lambda s: arch.check_lenet5(s["build_lenet5"]((32, 32, 1), 10))),
        Mistake("test-build-lenet5", "entrada fija 32×32×1", {"build_lenet5": lenet(fixed_shape=(32, 32, 1))}),
        Mistake("test-build-lenet5", "10 clases fijas", {"build_lenet5": lenet(fixed_classes=10)}),
        Mistake("test-build-lenet5", "max-pooling en vez de promedio",
                {"build_lenet5": _plan_builder(lambda n: [("maxpool", *op[1:]) if op[0] == "avgpool" else op for op in lenet5_ops(n, c5="conv")], "tanh")},
                lambda s: arch.check_lenet5(s["build_lenet5"]((32, 32, 1), 10))),
        Mistake("test-build-alexnet", "sin Dropout",
                {"build_alexnet": _plan_builder(lambda n: [op for op in alexnet_ops(n) if op[0] != "dropout"])}),
        Mistake("test-build-alexnet", "conv2 con padding='valid'", {"build_alexnet": _plan_builder(alexnet_valid)}),
        Mistake("test-build-alexnet", "1000 clases fijas", {"build_alexnet": _plan_builder(alexnet_ops, fixed_classes=1000)}),
        Mistake("test-vgg-stack", "n·F", {"receptive_field": lambda n, kernel_size=3: n * kernel_size}, public_stack),
        Mistake("test-vgg-stack", "kernel ignorado", {"receptive_field": lambda n, kernel_size=3: 1 + 2 * n}),
        Mistake("test-vgg-stack", "capas sin sesgo", {"stack_params": lambda c, n: n * 9 * c * c}, public_stack),
        Mistake("test-inception-module", "sin proyección tras el pooling",
                {"inception_module": lambda x, *f: inception(x, *f, pool_proj=False)}, public_inception),
        Mistake("test-inception-module", "ramas concatenadas en otro orden",
                {"inception_module": lambda x, *f: inception(x, *f, order=(1, 0, 2, 3))}, public_inception),
        Mistake("test-inception-module", "reducciones 1×1 sin ReLU",
                {"inception_module": lambda x, *f: inception(x, *f, relu_reduce=False)}, public_inception),
        Mistake("test-inception-macs", "kernel sin elevar al cuadrado",
                {"conv_macs": lambda h, w, k, c, f: h * w * k * c * f}, public_macs),
        Mistake("test-inception-macs", "reduce ignorado",
                {"inception_macs": lambda *a, reduce=True: im(*a)}, public_macs),
        Mistake("test-inception-macs", "sin la proyección del pooling",
                {"inception_macs": lambda h, w, c, f1, f3r, f3, f5r, f5, fp, reduce=True: im(h, w, c, f1, f3r, f3, f5r, f5, fp, reduce) - (cm(h, w, 1, c, fp) if reduce else 0)},
                public_macs),
        Mistake("test-residual-block", "BatchNormalization tras el Add",
                {"residual_block": lambda x, f, s=1: block(x, f, s, bn_after_add=True)}, public_block),
        Mistake("test-residual-block", "ReLU antes del Add (y después)",
                {"residual_block": lambda x, f, s=1: block(x, f, s, relu_before_add=True)}, public_block),
        Mistake("test-residual-block", "stride en la segunda convolución",
                {"residual_block": lambda x, f, s=1: block(x, f, s, stride_second=True)}, public_block),
        Mistake("test-model-macs", "Conv2DTranspose contada por su salida", {"model_macs": macs_transpose_as_conv}),
        Mistake("test-model-macs", "sin las Dense", {"model_macs": macs_no_dense}),
        Mistake("test-model-macs", "sin convertir a int", {"model_macs": lambda m: float(mm(m)) + 0.5}),
        Mistake("test-build-unet", "momentum por defecto", {"build_unet": unet(momentum=0.99)},
                lambda s: arch.check_unet(s["build_unet"]())),
        Mistake("test-build-unet", "el atajo antes del mapa subido", {"build_unet": unet(skip_first=True)},
                lambda s: arch.check_unet(s["build_unet"]())),
        Mistake("test-build-unet", "ReLU antes de BatchNormalization", {"build_unet": unet(relu_first=True)},
                lambda s: arch.check_unet(s["build_unet"]())),
        Mistake("test-gradient-demo", "residual ignorado", {"build_deep_stack": deep_stack(ignore_residual=True)}),
        Mistake("test-gradient-demo", "Add después de la ReLU", {"build_deep_stack": deep_stack(add_after_relu=True)}),
        Mistake("test-gradient-demo", "suma en vez de media",
                {"conv_gradient_norms": lambda model, x, y: S["conv_gradient_norms"](model, x, y) * len(x)}),
    ]  # fmt: skip


def _heavy(S: dict) -> list[Mistake]:
    def vgg(edit):
        return _plan_builder(lambda n: edit(vgg16_ops(n)))

    def two_convs_in_block_3(ops):
        index = next(i for i, op in enumerate(ops) if op[:2] == ("conv", 256))
        return ops[:index] + ops[index + 1 :]

    def resnet(**kw):
        def build(input_shape=(224, 224, 3), num_classes=1000):
            inputs = keras.Input(shape=input_shape)
            x = layers.Conv2D(64, 7, strides=2, padding="same", use_bias=False)(inputs)
            x = layers.Activation("relu")(layers.BatchNormalization()(x))
            x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
            for filters, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
                x = block(block(x, filters, stride, **kw), filters, 1, **kw)
            x = layers.GlobalAveragePooling2D()(x)
            return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))

        return build

    return [
        Mistake("test-build-vgg16", "bloque 3 con dos convoluciones", {"build_vgg16": vgg(two_convs_in_block_3)}),
        Mistake("test-build-vgg16", "Dense(2048)", {"build_vgg16": vgg(lambda ops: [("dense", 2048) if op == ("dense", 4096) else op for op in ops])}),
        Mistake("test-build-vgg16", "sin ReLU",
                {"build_vgg16": _plan_builder(vgg16_ops, activation="linear")}),
        Mistake("test-build-resnet18", "BatchNormalization tras el Add", {"build_resnet18": resnet(bn_after_add=True)}),
        Mistake("test-build-resnet18", "ReLU antes del Add", {"build_resnet18": resnet(relu_before_add=True)}),
        Mistake("test-build-resnet18", "stride en la segunda convolución", {"build_resnet18": resnet(stride_second=True)}),
    ]  # fmt: skip


LIGHT = {
    "test-param-formulas", "test-build-lenet5", "test-build-alexnet", "test-vgg-stack",
    "test-inception-module", "test-inception-macs", "test-residual-block", "test-model-macs",
    "test-gradient-demo", "test-build-unet",
}  # fmt: skip


def _check(tally, catalogue, cells, label, capsys):
    assert_catalogue(tally, catalogue, cells, label, capsys)


def test_every_mistake_is_rejected(sol, capsys, real_data_env):
    """The hidden judge rejects every mistake of the light cells; the solution earns them."""
    arch, grading = fresh("arquitecturas", "grading")
    catalogue = _light(sol, arch)
    tally = run(grading.CELLS, grading.HIDDEN, "arquitecturas", sol, catalogue)
    _check(tally, catalogue, LIGHT, "05_arquitecturas", capsys)


@pytest.mark.slow
def test_every_mistake_of_the_large_models_is_rejected(sol, capsys):
    """VGG16 and ResNet-18: the same, on models of tens of millions of weights."""
    _, grading = fresh("arquitecturas", "grading")
    catalogue = _heavy(sol)
    tally = run(grading.CELLS, grading.HIDDEN, "arquitecturas", sol, catalogue)
    _check(tally, catalogue, {"test-build-vgg16", "test-build-resnet18"}, "05 (grandes)", capsys)


def _mask_filter(blur=True, level=0.5, sign=1.0, pool=False):
    """A fixed-weight segmenter: a 3×3 binomial blur (or none) compared with ``level``
    through a steep sigmoid (``sign`` −1 marks the background instead)."""
    kernel = np.outer([1, 2, 1], [1, 2, 1]) / 16 if blur else np.pad([[1.0]], 1)
    steep = 40.0 * sign
    conv = layers.Conv2D(1, 3, padding="same", activation="sigmoid")
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), *([layers.MaxPooling2D(2)] if pool else []), conv]
    )
    conv.set_weights([(steep * kernel)[..., None, None], np.array([-steep * level])])
    return model


def test_segmentation_cell_rejects_poor_masks(sol, capsys, real_data_env, monkeypatch):
    """``test-segmentation``: a model that denoises (3×3 binomial blur) and thresholds at the mask's
    level segments the held-out digits well (IoU ≈ 0.85) and earns the cell, built without
    training; an untrained U-Net, a per-pixel threshold that keeps the noise, a threshold
    for 0–255 inputs (the images are in [0, 1]), the background instead of the digit and
    a 14×14 output lose it, under the grader's profile. Judged once per answer: see
    :data:`mistakes.TRAINED_NOTE`."""

    from cnn_course import runtime

    monkeypatch.setenv(runtime.PROFILE_ENV, "grading")
    _, grading = fresh("arquitecturas", "grading")
    keras.utils.set_random_seed(0)
    catalogue = [
        Mistake("test-segmentation", "U-Net sin entrenar", {"unet": sol["build_unet"]()}),
        Mistake("test-segmentation", "umbral píxel a píxel, con el ruido", {"unet": _mask_filter(blur=False)}),
        Mistake("test-segmentation", "umbral para píxeles en 0–255", {"unet": _mask_filter(level=127.5)}),
        Mistake("test-segmentation", "segmenta el fondo", {"unet": _mask_filter(sign=-1.0)}),
        Mistake("test-segmentation", "salida de 14×14", {"unet": _mask_filter(pool=True)}),
    ]  # fmt: skip
    tally = run(
        grading.CELLS, grading.HIDDEN, "arquitecturas", {**sol, "unet": _mask_filter()}, catalogue
    )
    assert_trained(tally, "test-segmentation", "05 (segmentación)", capsys)


def test_formula_checks_draw_every_case_class():
    """On every seed, each hidden formula check draws one case of every declared class."""
    arch, formulas = fresh("arquitecturas", "formulas")
    assert set(arch.CASE_CLASSES) == {
        "conv_params", "dense_params", "receptive_field", "stack_params", "conv_macs",
        "inception_macs",
    }  # fmt: skip
    for seed in range(50):
        rng = np.random.default_rng(seed)
        for name, classes in arch.CASE_CLASSES.items():
            cases = formulas.drawn_cases(name, rng)
            assert len(cases) == len(classes), name
            kinds = [(args, kwargs) for args, kwargs, _ in cases]
            if name == "conv_params":
                assert (
                    kinds[0][0][0] > 1
                    and kinds[1][0][0] == 1
                    and kinds[2][1] == {"use_bias": False}
                )
            elif name == "dense_params":
                assert kinds[0][0][1] > 1 and kinds[1][0][1] == 1
            elif name == "receptive_field":
                assert kinds[0][1] == {} and kinds[1][1]["kernel_size"] > 3
                assert kinds[2][1] == {"kernel_size": 1}
            elif name == "stack_params":
                assert kinds[0][0][1] == 1 and kinds[1][0][1] > 1
            elif name == "conv_macs":
                assert kinds[0][0][2] > 1 and kinds[0][0][0] != kinds[0][0][1]
                assert kinds[1][0][2] == 1
            else:
                assert kinds[0][1] == {} and kinds[1][1] == {"reduce": False}
