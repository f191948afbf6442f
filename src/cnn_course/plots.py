"""Plots the session notebooks share (matplotlib; each returns its Figure)."""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


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
