"""Plots the session notebooks share (matplotlib; each returns its Figure).

Besides the data plots, block diagrams of whole architectures (``architecture``,
``architecture_of``). The other teaching diagrams (sliding window, kernel volume,
receptive field, Dense ↔ Conv2D, transposed convolution) live in
:mod:`cnn_course.diagrams` and are re-exported here, so notebooks reach everything as
``plots.<name>``.
"""

from __future__ import annotations

import math

import numpy as np

from cnn_course.diagrams import (
    _plt,
    dense_vs_conv,
    kernel_volume,
    receptive_field,
    sliding_window,
    transposed_conv,
)

__all__ = [
    "architecture",
    "architecture_of",
    "confusion",
    "dense_vs_conv",
    "feature_maps",
    "filters",
    "image_grid",
    "kernel_volume",
    "learning_curves",
    "probability_table",
    "receptive_field",
    "sliding_window",
    "transposed_conv",
]

SKIPPED_LAYERS = frozenset(
    {
        "InputLayer",  # drawn once, as the "Entrada" block
        "Dropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "GaussianDropout",
        "GaussianNoise",
        "AlphaDropout",
        "Activation",
        "ReLU",
        "LeakyReLU",
        "PReLU",
        "ELU",
        "Softmax",
        "BatchNormalization",
        "LayerNormalization",
    }
)
"""Keras layer classes :func:`architecture_of` leaves out: they keep the shape and only
regularize, normalize or activate, and drawing them would bury the architecture."""


def image_grid(images, titles=None, ncols: int = 8, cmap: str = "gray", size: float = 1.4):
    """Images in a grid, with optional titles."""
    plt = _plt()
    images = np.asarray(images)
    nrows = int(np.ceil(len(images) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.3), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, img) in enumerate(zip(axes.flat, images, strict=False)):
        ax.imshow(np.squeeze(img), cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    fig.tight_layout()
    return fig


def learning_curves(history):
    """Loss and accuracy per epoch, training vs validation, from ``model.fit``'s history."""
    plt = _plt()
    hist = history.history if hasattr(history, "history") else history
    epochs = np.arange(1, len(hist["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, key, label in ((ax_loss, "loss", "pérdida"), (ax_acc, "accuracy", "exactitud")):
        ax.plot(epochs, hist[key], "o-", label="entrenamiento")
        if f"val_{key}" in hist:
            ax.plot(epochs, hist[f"val_{key}"], "o-", label="validación")
        ax.set_xlabel("época")
        ax.set_ylabel(label)
        ax.set_xticks(epochs)
        ax.legend()
    fig.tight_layout()
    return fig


def learning_rate(schedule, total_steps: int):
    """A Keras learning-rate schedule over ``total_steps`` optimizer steps."""
    plt = _plt()
    at = np.linspace(0, total_steps, min(total_steps, 200) + 1).astype(int)
    fig, ax = plt.subplots(figsize=(6, 2.5))
    ax.plot(at, [float(schedule(int(s))) for s in at])
    ax.set_xlabel("paso del optimizador")
    ax.set_ylabel("tasa de aprendizaje")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def confusion(matrix, class_names=None):
    """A confusion matrix as a heat map with counts (rows: real class, columns: predicted)."""
    plt = _plt()
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    names = class_names or [str(i) for i in range(n)]
    fig, ax = plt.subplots(figsize=(0.55 * n + 2, 0.55 * n + 1.5))
    ax.imshow(matrix, cmap="Blues")
    for i in range(n):
        for j in range(n):
            color = "white" if matrix[i, j] > matrix.max() / 2 else "black"
            ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=7, color=color)
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("clase predicha")
    ax.set_ylabel("clase real")
    fig.tight_layout()
    return fig


def filters(kernel, ncols: int = 8):
    """First-layer filters of a Conv2D kernel of shape (F, F, 1, K)."""
    kernel = np.asarray(kernel)
    return image_grid(
        [kernel[:, :, 0, k] for k in range(kernel.shape[-1])],
        titles=[f"filtro {k}" for k in range(kernel.shape[-1])],
        ncols=ncols,
        cmap="viridis",
    )


def feature_maps(maps, ncols: int = 8):
    """Feature maps of one image, shape (H, W, K)."""
    maps = np.asarray(maps)
    return image_grid(
        [maps[:, :, k] for k in range(maps.shape[-1])],
        titles=[f"mapa {k}" for k in range(maps.shape[-1])],
        ncols=ncols,
        cmap="viridis",
    )


def probability_table(probs, class_names=None) -> str:
    """The class-probability table of one image (clase / probabilidad), as in the slides."""
    probs = np.asarray(probs).reshape(-1)
    names = class_names or [str(i) for i in range(len(probs))]
    width = max(len("clase"), *(len(n) for n in names))
    lines = [f"{'clase':<{width}}  probabilidad", f"{'-' * width}  ------------"]
    lines += [f"{name:<{width}}  {p:12.4f}" for name, p in zip(names, probs, strict=True)]
    return "\n".join(lines)


# ------------------------------------------------------------------ 5. architectures

_COLORS = (  # first label keyword that matches picks the block's color
    ("entrada", "0.8"),
    ("convt", "#6baed6"),
    ("conv", "#3182bd"),
    ("pool", "#fd8d3c"),
    ("global", "#fd8d3c"),
    ("aplanar", "#c7e9c0"),
    ("densa", "#31a354"),
    ("suma", "#9e9ac8"),
    ("concat", "#9e9ac8"),
)


def _shape_text(shape) -> str:
    return "×".join("?" if v is None else str(v) for v in shape)


def _log2(v) -> float:
    return math.log2(v) if v else 4.0  # unknown (None) sizes drawn as 16


def architecture(layers, title):
    """A left-to-right block diagram of ``layers``, a list of ``(label, output_shape)``.

    Block height grows with the spatial size and width with the channels (log scale);
    vectors (Dense, Flatten) are narrow bars. The label goes above each block and the
    shape below; with more than 14 blocks both are turned vertical.
    """
    if not layers:
        raise ValueError("layers está vacía: hace falta al menos un bloque (etiqueta, forma).")
    blocks = []
    for label, shape in layers:
        shape = tuple(shape) if np.ndim(shape) else (shape,)
        if not 1 <= len(shape) <= 3:
            raise ValueError(f"Forma {shape} de «{label}»: se esperan 1 a 3 dimensiones.")
        blocks.append((str(label), shape))
    from matplotlib.patches import FancyBboxPatch

    vertical = len(blocks) > 14
    slot = 0.45 if vertical else 0.95
    plt = _plt()
    fig, ax = plt.subplots(
        figsize=(max(5, slot * len(blocks) + 1), 5.5 if vertical else 4.2), layout="constrained"
    )
    prev = 0.0  # width of the previous block, where the arrow starts
    for i, (label, shape) in enumerate(blocks):
        if len(shape) == 1:
            height, width = 0.6 + 0.3 * _log2(shape[0]), 0.16
        else:
            channels = shape[-1] if len(shape) == 3 else 1
            height, width = 0.6 + 0.5 * _log2(shape[0]), 0.16 + 0.06 * _log2(channels)
        color = next((col for key, col in _COLORS if key in label.lower()), "0.6")
        block = FancyBboxPatch(
            (i - width / 2, -height / 2), width, height, boxstyle="round,pad=0.02",
            fc=color, ec="0.25", lw=0.8, gid="bloque",
        )  # fmt: skip
        ax.add_patch(block)
        if i:
            ax.annotate(
                "", xy=(i - width / 2 - 0.04, 0), xytext=(i - 1 + prev / 2 + 0.04, 0),
                arrowprops={"arrowstyle": "->", "color": "0.4", "lw": 0.8},
            )  # fmt: skip
        prev = width
        text = label if vertical else label.replace(" ", "\n", 1)
        kwargs = {"rotation": 90 if vertical else 0, "ha": "center", "fontsize": 8}
        ax.text(i, height / 2 + 0.15, text, va="bottom", **kwargs)
        ax.text(i, -height / 2 - 0.15, _shape_text(shape), va="top", color="0.25", **kwargs)
    top = max(0.6 + 0.5 * _log2(s[0]) if len(s) > 1 else 0.6 + 0.3 * _log2(s[0]) for _, s in blocks)
    ax.set_xlim(-0.6, len(blocks) - 0.4)
    ax.set_ylim(-top / 2 - 0.2, top / 2 + 0.2)
    ax.axis("off")
    fig.suptitle(title)
    return fig


def _pair(value) -> tuple[int, ...]:
    return tuple(value) if np.ndim(value) else (value, value)


def _short_label(layer) -> str:
    """A short Spanish label for a Keras layer: "Conv 6@5×5", "MaxPool 3×3 /2", "Densa 84"."""
    name = type(layer).__name__
    size = lambda v: "×".join(map(str, _pair(v)))  # noqa: E731
    if name in ("Conv2D", "Conv2DTranspose", "SeparableConv2D", "Conv1D"):
        short = {"Conv2D": "Conv", "Conv2DTranspose": "ConvT", "SeparableConv2D": "ConvSep"}
        text = f"{short.get(name, name)} {layer.filters}@{size(layer.kernel_size)}"
        stride = _pair(layer.strides)[0]
        if stride > 1:
            text += f" ↑{stride}" if name == "Conv2DTranspose" else f" /{stride}"
        return text
    if name in ("MaxPooling2D", "AveragePooling2D"):
        text = f"{'MaxPool' if name == 'MaxPooling2D' else 'AvgPool'} {size(layer.pool_size)}"
        strides = layer.strides or layer.pool_size
        return text if _pair(strides) == _pair(layer.pool_size) else f"{text} /{_pair(strides)[0]}"
    fixed = {
        "GlobalAveragePooling2D": "Prom. global",
        "GlobalMaxPooling2D": "Máx. global",
        "Flatten": "Aplanar",
        "Add": "Suma",
        "Concatenate": "Concat.",
        "Multiply": "Producto",
        "ZeroPadding2D": "Relleno",
        "Cropping2D": "Recorte",
        "Rescaling": "Reescalado",
        "Reshape": "Remodelar",
    }
    if name in fixed:
        return fixed[name]
    if name == "Dense":
        return f"Densa {layer.units}"
    if name == "UpSampling2D":
        return f"Sobremuestreo {size(layer.size)}"
    if name in ("Functional", "Sequential", "Model"):
        return f"Modelo {layer.name}"
    return name


def architecture_of(model, title=None):
    """:func:`architecture` of a built Keras model, its layers in ``model.layers`` order.

    One "Entrada" block for the (first) input, then one per layer except those in
    :data:`SKIPPED_LAYERS`; for models with branches (ResNet, U-Net) this draws the
    layers in the order Keras lists them, which follows the main path.
    """
    try:
        input_shape = tuple(model.inputs[0].shape[1:])
    except (AttributeError, IndexError, TypeError, ValueError) as err:
        raise ValueError(
            "El modelo no está construido: créalo con keras.Input o llama a model.build()."
        ) from err
    layers = [("Entrada", input_shape)]
    for layer in model.layers:
        if type(layer).__name__ not in SKIPPED_LAYERS:
            layers.append((_short_label(layer), tuple(layer.output.shape[1:])))
    return architecture(layers, title or model.name)
