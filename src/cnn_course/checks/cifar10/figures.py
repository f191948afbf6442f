"""Figures and tables particular to the CIFAR-10 session (matplotlib; each plot returns its
Figure). The pack-wide plots live in :mod:`cnn_course.plots`."""

from __future__ import annotations

import numpy as np

from cnn_course.fmt import number, percent


def _plt():
    import matplotlib.pyplot as plt

    return plt


def to_display(images, mean=None, std=None) -> np.ndarray:
    """Images as matplotlib shows them: uint8 as they are, normalised ones back to [0, 1]."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    if mean is not None and std is not None:
        images = images * np.asarray(std) + np.asarray(mean)
    return np.clip(images, 0.0, 1.0)


def class_examples(x, y, class_names, per_class: int = 8, seed: int = 0):
    """One row per class with ``per_class`` random examples of it, drawn as a single mosaic
    (one image, so it draws in a fraction of a second)."""
    plt = _plt()
    y = np.asarray(y).reshape(-1)
    rng = np.random.default_rng(seed)
    n = len(class_names)
    side, gap = x.shape[1], 2
    cell = side + gap
    mosaic = np.full((n * cell - gap, per_class * cell - gap, 3), 255, dtype=np.uint8)
    for k in range(n):
        members = np.flatnonzero(y == k)
        picked = rng.choice(members, size=min(per_class, len(members)), replace=False)
        for j, i in enumerate(picked):
            mosaic[k * cell : k * cell + side, j * cell : j * cell + side] = x[i]
    fig, ax = plt.subplots(figsize=(0.6 * per_class + 1.3, 0.6 * n))
    ax.imshow(mosaic)
    ax.set_xticks([])
    ax.set_yticks(np.arange(n) * cell + side / 2, class_names)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.tight_layout()
    return fig


def augmented_copies(image, augmentation, mean, std, n: int = 11):
    """One normalised image and ``n`` copies of it through ``augmentation(training=True)``."""
    plt = _plt()
    batch = np.repeat(np.asarray(image, dtype="float32")[np.newaxis], n, axis=0)
    copies = np.asarray(augmentation(batch, training=True))
    fig, axes = plt.subplots(2, (n + 2) // 2, figsize=(1.4 * ((n + 2) // 2), 3.2))
    for ax in axes.flat:
        ax.axis("off")
    for ax, img, title in zip(
        axes.flat,
        [image, *copies],
        ["original", *[f"copia {i}" for i in range(1, n + 1)]],
        strict=False,
    ):
        ax.imshow(to_display(img, mean, std))
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig


def compare_curves(histories: dict):
    """Accuracy per epoch of several trainings: validation (solid) and training (dashed)."""
    plt = _plt()
    fig, (ax_val, ax_loss) = plt.subplots(1, 2, figsize=(11, 3.8))
    for i, (name, hist) in enumerate(histories.items()):
        color = f"C{i}"
        epochs = np.arange(1, len(hist["accuracy"]) + 1)
        ax_val.plot(epochs, hist["val_accuracy"], "o-", color=color, label=name)
        ax_val.plot(epochs, hist["accuracy"], "--", color=color, alpha=0.6)
        ax_loss.plot(epochs, hist["val_loss"], "o-", color=color, label=name)
        ax_loss.plot(epochs, hist["loss"], "--", color=color, alpha=0.6)
    for ax, label in ((ax_val, "exactitud"), (ax_loss, "pérdida")):
        ax.set_xlabel("época")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    longest = max(len(h["accuracy"]) for h in histories.values())
    for ax in (ax_val, ax_loss):
        ax.set_xticks(np.arange(1, longest + 1))
    ax_val.set_title("validación (—) y entrenamiento (- -)", fontsize=9)
    ax_val.legend(fontsize=8)
    fig.tight_layout()
    return fig


def results_table(rows: list[dict]) -> str:
    """The comparison as text: model, parameters, training seconds, test accuracy."""
    width = max(len("modelo"), *(len(r["modelo"]) for r in rows))
    lines = [
        f"{'modelo':<{width}}  {'parámetros':>10}  {'segundos':>8}  {'exactitud en test':>17}",
        f"{'-' * width}  {'-' * 10}  {'-' * 8}  {'-' * 17}",
    ]
    for r in rows:
        acc = "—" if r.get("exactitud") is None else percent(r["exactitud"], 1)
        secs = "—" if r.get("segundos") is None else number(r["segundos"], 1)
        lines.append(f"{r['modelo']:<{width}}  {number(r['parámetros']):>10}  {secs:>8}  {acc:>17}")
    return "\n".join(lines)


def lr_curve(cosine_lr, total_steps: int, lr0: float):
    """The student's cosine decay against Keras' CosineDecay, step by step."""
    import keras

    plt = _plt()
    steps = np.arange(0, total_steps + 1, max(1, total_steps // 100))
    schedule = keras.optimizers.schedules.CosineDecay(lr0, total_steps)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(steps, [float(schedule(s)) for s in steps], lw=4, alpha=0.4, label="Keras CosineDecay")
    ax.plot(steps, [cosine_lr(int(s), total_steps, lr0) for s in steps], "k--", label="cosine_lr")
    ax.set_xlabel("paso de entrenamiento (lote)")
    ax.set_ylabel("tasa de aprendizaje")
    ax.legend()
    fig.tight_layout()
    return fig


def per_class_bars(accuracies, class_names):
    """Accuracy of each class as horizontal bars, worst at the bottom."""
    plt = _plt()
    accuracies = np.asarray(accuracies)
    order = np.argsort(accuracies)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.barh([class_names[i] for i in order], accuracies[order], color="C0")
    for pos, i in enumerate(order):
        ax.text(accuracies[i], pos, f" {percent(accuracies[i], 0)}", va="center", fontsize=8)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("exactitud en test")
    fig.tight_layout()
    return fig


def confident_errors(images, y_true, y_pred, confidence, class_names, ncols: int = 6):
    """Wrong test images with their true class, predicted class and its probability."""
    plt = _plt()
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.9 * ncols, 2.4 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, img, t, p, c in zip(axes.flat, images, y_true, y_pred, confidence, strict=False):
        ax.imshow(to_display(img))
        ax.set_title(
            f"real: {class_names[t]}\npred.: {class_names[p]} ({percent(c, 0)})", fontsize=8
        )
    fig.tight_layout()
    return fig
