"""Mistake catalogue of «Convolución desde cero»: every grade cell, at least three plausible
wrong answers, each rejected by the hidden judge on 50 seeds (and by the public check where
its example can show it); the solution earns every cell on the same seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mistakes import Mistake, assert_catalogue, fresh, memoised, run

from cnn_course.checks.convolucion import slides
from cnn_course.checks.convolucion.reference import same_padding_reference
from cnn_course.checks.toolkit.tracing import solution_namespace


@pytest.fixture(scope="module")
def sol() -> dict:
    ns = dict(solution_namespace("01_convolucion"))
    f = slides.SLIDE_KERNEL.shape[0]
    ns.update(
        errata_row=0,
        errata_col=1,
        errata_window=slides.SLIDE_IMAGE[0:f, 1 : 1 + f],
        errata_average=ns["pool2d"](slides.ERRATA_POOL_TABLE[:, :, None], 2, mode="avg")[:, :, 0],
    )
    return ns


def _ceil_windows(fn):
    """Rounds the number of windows up: zeros at the end so the last window is whole."""

    def wrong(image, kernel, stride=1, padding="valid"):
        if padding == "same":
            return fn(image, kernel, stride, padding)
        if padding != "valid":
            image = np.pad(image, padding)
        f = kernel.shape[0]
        extra = [(-(image.shape[a] - f)) % stride for a in (0, 1)]
        return fn(np.pad(image, ((0, extra[0]), (0, extra[1]))), kernel, stride, "valid")

    return wrong


def _same_first(fn, single: bool):
    """Puts the odd 'same' pixel first (top/left) instead of last."""

    def wrong(x, w, *rest):
        *middle, stride, padding = rest
        if padding != "same":
            return fn(x, w, *rest)
        pads = [tuple(reversed(same_padding_reference(n, w.shape[0], stride))) for n in x.shape[:2]]
        x = np.pad(x, pads if single else (*pads, (0, 0)))
        return fn(x, w, *middle, stride, "valid")

    return wrong


def _catalogue(S: dict, conv) -> list[Mistake]:
    c1, cv, c2, cs = S["conv2d_single"], S["convolve2d"], S["conv2d"], S["conv2d_strided"]
    pool, ct = S["pool2d"], S["conv_transpose2d"]

    def window_argmax_last(x, dout, size, stride=None):
        stride = stride or size
        dx = np.zeros(x.shape)
        for i in range(dout.shape[0]):
            for j in range(dout.shape[1]):
                for ch in range(x.shape[2]):
                    win = x[i * stride : i * stride + size, j * stride : j * stride + size, ch]
                    last = win.size - 1 - int(np.argmax(win.ravel()[::-1]))
                    a, b = np.unravel_index(last, win.shape)
                    dx[i * stride + a, j * stride + b, ch] += dout[i, j, ch]
        return dx

    def tie_mask(x, dout, size, stride=None):
        stride = stride or size
        dx = np.zeros(x.shape)
        for i in range(dout.shape[0]):
            for j in range(dout.shape[1]):
                win = x[i * stride : i * stride + size, j * stride : j * stride + size]
                mask = win == win.max(axis=(0, 1))
                dx[i * stride : i * stride + size, j * stride : j * stride + size] += (
                    mask * dout[i, j]
                )
        return dx

    def overwrite(x, dout, size, stride=None):
        stride = stride or size
        dx = np.zeros(x.shape)
        for i in range(dout.shape[0]):
            for j in range(dout.shape[1]):
                for ch in range(x.shape[2]):
                    win = x[i * stride : i * stride + size, j * stride : j * stride + size, ch]
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    dx[i * stride + a, j * stride + b, ch] = dout[i, j, ch]
        return dx

    def pool_all_channels(x, size, stride=None, mode="max", p=2):
        out = pool(x, size, stride, mode, p)
        return np.repeat(
            out.max(axis=2, keepdims=True) if mode == "max" else out[..., :1], x.shape[2], 2
        )

    def pool_no_stride(x, size, stride=None, mode="max", p=2):
        return pool(x, size, size, mode, p)

    def pad_order(x, pad, mode="constant"):
        if not np.isscalar(pad):
            top, bottom, left, right = pad
            pad = (top, left, bottom, right)
        return S["pad_image"](x, pad, mode)

    def pad_channels(x, pad, mode="constant"):
        p = (pad,) * 4 if np.isscalar(pad) else pad
        widths = [(p[0], p[1]), (p[2], p[3])] + [(p[0], p[1])] * (x.ndim - 2)
        return np.pad(x, widths, mode=mode)

    def dilate_d_gaps(kernel, d):
        return S["dilate_kernel"](kernel, d + 1)

    def dilate_rows(kernel, d):
        out = S["dilate_kernel"](kernel, d)
        return out[:, ::d] if out.shape[1] > kernel.shape[1] else out

    def dilate_dF(kernel, d):
        f = kernel.shape[0]
        out = np.zeros((d * f, d * f, *kernel.shape[2:]))
        out[::d, ::d] = kernel
        return out

    def rf_last_stride(layers):
        field, previous = 1, 1
        for f, s, d in layers:
            field += d * (f - 1) * previous
            previous = s
        return field

    def rf_no_dilation(layers):
        return S["receptive_field"]([(f, s, 1) for f, s, _ in layers])

    def rf_no_jump(layers):
        return 1 + sum(d * (f - 1) for f, _, d in layers)

    def d2c_channel_first(w, b, width, depth):
        k = w.shape[1]
        return w.reshape(depth, width, width, k).transpose(1, 2, 0, 3), b

    def d2c_col_row(w, b, width, depth):
        k = w.shape[1]
        return w.reshape(width, width, depth, k).transpose(1, 0, 2, 3), b

    def d2c_no_bias(w, b, width, depth):
        kernel, bias = S["dense_to_conv"](w, b, width, depth)
        return kernel, np.zeros_like(bias)

    pub = conv
    return [
        # 1. one channel
        Mistake("test-conv2d-single", "kernel volteado", {"conv2d_single": cv},
                lambda s: pub.check_conv2d_single(s["conv2d_single"])),
        Mistake("test-conv2d-single", "kernel traspuesto", {"conv2d_single": lambda i, k: c1(i, k.T)},
                lambda s: pub.check_conv2d_single(s["conv2d_single"])),
        Mistake("test-conv2d-single", "una ventana de menos", {"conv2d_single": lambda i, k: c1(i, k)[:-1, :-1]},
                lambda s: pub.check_conv2d_single(s["conv2d_single"])),
        Mistake("test-conv2d-single", "media en vez de suma", {"conv2d_single": lambda i, k: c1(i, k) / k.size},
                lambda s: pub.check_conv2d_single(s["conv2d_single"])),
        Mistake("test-errata-conv", "fila y columna cambiadas", {"errata_row": 1, "errata_col": 0},
                lambda s: pub.check_errata_conv(s["errata_row"], s["errata_col"], s["errata_window"])),
        Mistake("test-errata-conv", "ventana de otra posición", {"errata_window": conv.SLIDE_IMAGE[1:4, 0:3]},
                lambda s: pub.check_errata_conv(s["errata_row"], s["errata_col"], s["errata_window"])),
        Mistake("test-errata-conv", "ventana 2×2", {"errata_window": conv.SLIDE_IMAGE[0:2, 1:3]},
                lambda s: pub.check_errata_conv(s["errata_row"], s["errata_col"], s["errata_window"])),
        Mistake("test-convolve2d", "sin voltear", {"convolve2d": c1},
                lambda s: pub.check_convolve2d(s["convolve2d"])),
        Mistake("test-convolve2d", "volteo solo horizontal", {"convolve2d": lambda i, k: c1(i, k[:, ::-1])}),
        Mistake("test-convolve2d", "traspuesto en vez de volteado", {"convolve2d": lambda i, k: c1(i, k.T)},
                lambda s: pub.check_convolve2d(s["convolve2d"])),
        # 2. stride and padding
        Mistake("test-output-size", "redondea hacia arriba",
                {"output_size": lambda n, f, s=1, p="valid": -(-n // s) if p == "same"
                 else math.ceil((n + 2 * (0 if p == "valid" else p) - f) / s) + 1},
                lambda s: pub.check_output_size(s["output_size"], s["same_padding"])),
        Mistake("test-output-size", "round() en vez de //",
                {"output_size": lambda n, f, s=1, p="valid": -(-n // s) if p == "same"
                 else round((n + 2 * (0 if p == "valid" else p) - f) / s) + 1}),
        Mistake("test-output-size", "'same' redondea hacia abajo",
                {"output_size": lambda n, f, s=1, p="valid": n // s if p == "same"
                 else S["output_size"](n, f, s, p)},
                lambda s: pub.check_output_size(s["output_size"], s["same_padding"])),
        Mistake("test-output-size", "píxel sobrante al principio",
                {"same_padding": lambda n, f, s=1: S["same_padding"](n, f, s)[::-1]},
                lambda s: pub.check_output_size(s["output_size"], s["same_padding"])),
        Mistake("test-output-size", "relleno 'same' sin el stride",
                {"same_padding": lambda n, f, s=1: ((f - 1) // 2, f - 1 - (f - 1) // 2)},
                lambda s: pub.check_output_size(s["output_size"], s["same_padding"])),
        Mistake("test-pad-image", "tupla en orden (arriba, izquierda, abajo, derecha)", {"pad_image": pad_order}),
        Mistake("test-pad-image", "ignora el modo", {"pad_image": lambda x, pad, mode="constant": S["pad_image"](x, pad)},
                lambda s: pub.check_pad_image(s["pad_image"])),
        Mistake("test-pad-image", "rellena también los canales", {"pad_image": pad_channels}),
        Mistake("test-conv2d-strided", "redondea hacia arriba", {"conv2d_strided": _ceil_windows(cs)}),
        Mistake("test-conv2d-strided", "píxel 'same' al principio", {"conv2d_strided": _same_first(cs, True)}),
        Mistake("test-conv2d-strided", "ignora el stride",
                {"conv2d_strided": lambda i, k, s=1, p="valid": cs(i, k, 1, p)},
                lambda s: pub.check_conv2d_strided(s["conv2d_strided"])),
        Mistake("test-conv2d-strided", "ignora un padding explícito",
                {"conv2d_strided": lambda i, k, s=1, p="valid": cs(i, k, s, p if isinstance(p, str) else "valid")},
                lambda s: pub.check_conv2d_strided(s["conv2d_strided"])),
        # 3. several channels
        Mistake("test-conv2d", "sin sesgo", {"conv2d": lambda x, w, b, s=1, p="valid": c2(x, w, 0 * b, s, p)},
                lambda s: pub.check_conv2d(s["conv2d"])),
        Mistake("test-conv2d", "kernel volteado",
                {"conv2d": lambda x, w, b, s=1, p="valid": c2(x, w[::-1, ::-1], b, s, p)},
                lambda s: pub.check_conv2d(s["conv2d"])),
        Mistake("test-conv2d", "píxel 'same' al principio", {"conv2d": _same_first(c2, False)},
                lambda s: pub.check_conv2d(s["conv2d"])),
        Mistake("test-conv2d", "canales y filtros cambiados",
                {"conv2d": lambda x, w, b, s=1, p="valid": c2(x, np.swapaxes(w, 2, 3), b, s, p)},
                lambda s: pub.check_conv2d(s["conv2d"])),
        Mistake("test-conv-params", "sin sesgo", {"conv_params": lambda f, m, k: f * f * m * k},
                lambda s: pub.check_conv_params(s["conv_params"])),
        Mistake("test-conv-params", "un sesgo por canal", {"conv_params": lambda f, m, k: (f * f + 1) * m * k},
                lambda s: pub.check_conv_params(s["conv_params"])),
        Mistake("test-conv-params", "F sin elevar al cuadrado", {"conv_params": lambda f, m, k: (f * m + 1) * k},
                lambda s: pub.check_conv_params(s["conv_params"])),
        # 4. dilation
        Mistake("test-dilate-kernel", "d huecos en vez de d − 1", {"dilate_kernel": dilate_d_gaps},
                lambda s: pub.check_dilate_kernel(s["dilate_kernel"])),
        Mistake("test-dilate-kernel", "dilata solo las filas", {"dilate_kernel": dilate_rows},
                lambda s: pub.check_dilate_kernel(s["dilate_kernel"])),
        Mistake("test-dilate-kernel", "tamaño d·F", {"dilate_kernel": dilate_dF},
                lambda s: pub.check_dilate_kernel(s["dilate_kernel"])),
        # 5. ReLU and kernels
        Mistake("test-relu-kernels", "valor absoluto", {"relu": np.abs}, lambda s: pub.check_relu(s["relu"])),
        Mistake("test-relu-kernels", "leaky", {"relu": lambda x: np.maximum(x, 0.01 * x)},
                lambda s: pub.check_relu(s["relu"])),
        Mistake("test-relu-kernels", "desenfoque sin normalizar", {"blur_kernel": np.ones((3, 3))},
                lambda s: pub.check_kernels(s["edge_kernel"], s["blur_kernel"], s["sharpen_kernel"])),
        Mistake("test-relu-kernels", "enfoque sin negativos", {"sharpen_kernel": np.diag([0.0, 1.0, 0.0])},
                lambda s: pub.check_kernels(s["edge_kernel"], s["blur_kernel"], s["sharpen_kernel"])),
        # 6. pooling
        Mistake("test-pool2d", "ignora el stride", {"pool2d": pool_no_stride},
                lambda s: pub.check_pool2d(s["pool2d"])),
        Mistake("test-pool2d", "Lp con p = 2 siempre",
                {"pool2d": lambda x, size, stride=None, mode="max", p=2: pool(x, size, stride, mode, 2)}),
        Mistake("test-pool2d", "Lp sin la raíz",
                {"pool2d": lambda x, size, stride=None, mode="max", p=2: pool(x, size, stride, mode, p) ** (p if mode == "lp" else 1)},
                lambda s: pub.check_pool2d(s["pool2d"])),
        Mistake("test-pool2d", "mezcla los canales", {"pool2d": pool_all_channels}),
        Mistake("test-errata-pool", "el promedio de la diapositiva", {"errata_average": conv.ERRATA_POOL_SLIDE_AVG},
                lambda s: pub.check_errata_pool(s["errata_average"])),
        Mistake("test-errata-pool", "suma en vez de promedio", {"errata_average": np.array([[20, 14], [24, 20]])},
                lambda s: pub.check_errata_pool(s["errata_average"])),
        Mistake("test-errata-pool", "divide entre 2", {"errata_average": np.array([[10, 7], [12, 10]])},
                lambda s: pub.check_errata_pool(s["errata_average"])),
        # 7. max-pool backward
        Mistake("test-maxpool-backward", "reparte entre los empates", {"maxpool_backward": tie_mask}),
        Mistake("test-maxpool-backward", "sobrescribe en vez de acumular", {"maxpool_backward": overwrite}),
        Mistake("test-maxpool-backward", "el último máximo", {"maxpool_backward": window_argmax_last}),
        # 8-10
        Mistake("test-conv-transpose2d", "sin sesgo", {"conv_transpose2d": lambda x, w, b, s=1: ct(x, w, 0 * b, s)}),
        Mistake("test-conv-transpose2d", "kernel volteado",
                {"conv_transpose2d": lambda x, w, b, s=1: ct(x, w[::-1, ::-1], b, s)},
                lambda s: pub.check_conv_transpose2d(s["conv_transpose2d"])),
        Mistake("test-conv-transpose2d", "kernel traspuesto",
                {"conv_transpose2d": lambda x, w, b, s=1: ct(x, w.transpose(1, 0, 2, 3), b, s)},
                lambda s: pub.check_conv_transpose2d(s["conv_transpose2d"])),
        Mistake("test-conv-transpose2d", "ignora el stride", {"conv_transpose2d": lambda x, w, b, s=1: ct(x, w, b, 1)}),
        Mistake("test-receptive-field", "solo el stride anterior", {"receptive_field": rf_last_stride}),
        Mistake("test-receptive-field", "ignora la dilatación", {"receptive_field": rf_no_dilation},
                lambda s: pub.check_receptive_field(s["receptive_field"])),
        Mistake("test-receptive-field", "ignora los strides", {"receptive_field": rf_no_jump},
                lambda s: pub.check_receptive_field(s["receptive_field"])),
        Mistake("test-dense-to-conv", "orden (canal, fila, columna)", {"dense_to_conv": d2c_channel_first},
                lambda s: pub.check_dense_to_conv(s["dense_to_conv"])),
        Mistake("test-dense-to-conv", "filas y columnas cambiadas", {"dense_to_conv": d2c_col_row},
                lambda s: pub.check_dense_to_conv(s["dense_to_conv"])),
        Mistake("test-dense-to-conv", "sin sesgo", {"dense_to_conv": d2c_no_bias},
                lambda s: pub.check_dense_to_conv(s["dense_to_conv"])),
        Mistake("test-locally-connected-params", "sin sesgo",
                {"locally_connected_params": lambda n, f, m, k: (n - f + 1) ** 2 * f * f * m * k},
                lambda s: pub.check_locally_connected_params(s["locally_connected_params"])),
        Mistake("test-locally-connected-params", "(N − F)² posiciones",
                {"locally_connected_params": lambda n, f, m, k: (n - f) ** 2 * (f * f * m * k + k)},
                lambda s: pub.check_locally_connected_params(s["locally_connected_params"])),
        Mistake("test-locally-connected-params", "pesos compartidos",
                {"locally_connected_params": lambda n, f, m, k: f * f * m * k + k},
                lambda s: pub.check_locally_connected_params(s["locally_connected_params"])),
    ]  # fmt: skip


PUBLIC_CANNOT_SHOW = {
    ("test-convolve2d", "volteo solo horizontal"),  # the slide's kernel has equal rows
    ("test-output-size", "round() en vez de //"),  # the slides' fractions are all < 1/2
    ("test-pad-image", "tupla en orden (arriba, izquierda, abajo, derecha)"),  # scalar pads only
    ("test-pad-image", "rellena también los canales"),  # a 2-D example
    ("test-conv2d-strided", "redondea hacia arriba"),  # every public stride divides
    ("test-conv2d-strided", "píxel 'same' al principio"),  # the public 'same' is even
    ("test-pool2d", "Lp con p = 2 siempre"),  # the slides use p = 2
    ("test-pool2d", "mezcla los canales"),  # one channel
    ("test-maxpool-backward", "reparte entre los empates"),  # the table has no ties
    ("test-maxpool-backward", "sobrescribe en vez de acumular"),  # no overlap
    ("test-maxpool-backward", "el último máximo"),
    ("test-conv-transpose2d", "sin sesgo"),  # the slide has no bias
    ("test-conv-transpose2d", "ignora el stride"),  # stride 1
    ("test-receptive-field", "solo el stride anterior"),  # one stride before each kernel
}


def test_every_mistake_is_rejected_on_every_seed(sol, monkeypatch, capsys):
    """The hidden judge rejects every mistake on 50 seeds; the solution earns every cell."""
    modules = ("harness", "convolution", "sizes", "pooling", "advanced", "grading")
    conv, harness, convolution, sizes, pooling, advanced, grading = fresh("convolucion", *modules)
    memoised(convolution, ["keras_conv2d", "keras_conv2d_single", "keras_conv_params"], monkeypatch)
    memoised(sizes, ["keras_pad", "keras_output_size"], monkeypatch)
    memoised(pooling, ["keras_pool", "keras_maxpool_grad", "keras_relu"], monkeypatch)
    memoised(
        advanced,
        ["keras_conv_transpose2d", "keras_receptive_field", "keras_dense_vs_conv"],
        monkeypatch,
    )
    draws: dict[int, int] = {}
    missed: list = []
    original = harness.draw_classes

    def spy(rng, make, classes, extra=0):
        # every declared class holds on some drawn case of this very call
        drawn = original(rng, make, classes, extra)
        missed.extend(c.name for c in classes if not any(c.holds(*a) for a in drawn))
        draws[id(classes)] = draws.get(id(classes), 0) + 1
        return drawn

    monkeypatch.setattr(harness, "draw_classes", spy)
    catalogue = _catalogue(sol, conv)
    for mistake in catalogue:
        if (mistake.cell, mistake.name) in PUBLIC_CANNOT_SHOW:
            assert mistake.public is None
    tally = run(grading.CELLS, grading.HIDDEN, "convolucion", sol, catalogue)
    assert_catalogue(tally, catalogue, grading.CELLS, "01_convolucion", capsys)
    assert missed == []
    # each declared list drawn by a generator was drawn on each of the 50 seeds
    fixed_plans = {"conv_transpose2d", "dense_to_conv"}  # deterministic plans cover these
    drawn = {f: draws.get(id(c), 0) for f, c in conv.CASE_CLASSES.items() if f not in fixed_plans}
    assert min(drawn.values()) >= 50, drawn
