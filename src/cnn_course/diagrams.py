"""Diagrams the slides draw, in plain matplotlib (each function returns its Figure).

Convolution's sliding window, the kernel volume over channels, receptive-field growth,
the Dense ↔ Conv2D equivalence and transposed convolution (the architecture block
diagrams are in :mod:`cnn_course.plots`, which re-exports every public name here, so
notebooks call ``plots.sliding_window(...)`` and so on). Labels are in Spanish, like
the notebooks.
"""

from __future__ import annotations

import math

import numpy as np

CELL_IN = 0.42  # inches per cell of a number grid


def _plt():
    import matplotlib.pyplot as plt

    return plt


# ------------------------------------------------------------------ validation


def _matrix(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} debe ser una matriz 2-D no vacía; tiene forma {array.shape}.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contiene valores no finitos (NaN o infinito).")
    return array


def _int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or value < minimum:
        raise ValueError(f"{name} debe ser un entero ≥ {minimum}; se recibió {value!r}.")
    return int(value)


# ------------------------------------------------------------------ shared drawing helpers


def _num(value: float) -> str:
    """A cell's number, short: integers without decimals, others with up to two."""
    if not np.isfinite(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _factor(value: float) -> str:
    text = _num(value)
    return f"({text})" if value < 0 else text


def _grid(ax, values, *, span=None, marks=(), shade=None, title=None, fontsize=9.0):
    """Draw a 2-D array as a table of numbers, row 0 on top; NaN cells are left blank.

    ``span`` (rows, cols) fixes the drawn area with the grid centred in it, so panels of
    different sizes share one cell size; ``marks`` are ``(row, col, height, width,
    color)`` blocks to frame and tint; ``shade`` (boolean array) greys cells such as
    the zero padding.
    """
    plt = _plt()
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    for (i, j), value in np.ndenumerate(values):
        face = "0.87" if shade is not None and shade[i, j] else "white"
        ax.add_patch(plt.Rectangle((j, i), 1, 1, fc=face, ec="0.55", lw=0.8))
        ax.text(j + 0.5, i + 0.5, _num(value), ha="center", va="center", fontsize=fontsize)
    for row, col, height, width, color in marks:
        ax.add_patch(plt.Rectangle((col, row), width, height, fc=color, alpha=0.28, ec="none"))
        ax.add_patch(plt.Rectangle((col, row), width, height, fill=False, ec=color, lw=2.5))
    span_rows, span_cols = span or (rows, cols)
    pad_r, pad_c = (span_rows - rows) / 2 + 0.1, (span_cols - cols) / 2 + 0.1
    ax.set_xlim(-pad_c, cols + pad_c)
    ax.set_ylim(rows + pad_r, -pad_r)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 1)


def _cell_size(panels_wide: float, panels_high: float) -> tuple[float, float]:
    """Inches per cell and font size, shrunk so the figure stays within about 14 in."""
    cell = min(CELL_IN, 14 / max(panels_wide, 1), 14 / max(panels_high, 1))
    return cell, max(5.0, 9 * cell / CELL_IN)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_DEPTH = (0.55, 0.38)  # oblique projection of the channel axis, per unit of depth


def _shade(color, factor: float):
    from matplotlib.colors import to_rgb

    return tuple(factor * c for c in to_rgb(color))


def _box(ax, x, y, w, h, d, color, *, faces="fts", slices=0, alpha=0.95, lw=1.0, fill=True):
    """An oblique-projection box: front face w×h at (x, y), depth d drawn up and right.

    ``faces`` picks front (f), top (t) and side (s); ``slices`` > 1 marks that many
    channels on the top and side faces; ``fill=False`` draws only the edges, in ``color``.
    """
    plt = _plt()
    dx, dy = d * _DEPTH[0], d * _DEPTH[1]
    polygons = {
        "f": ([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], 1.0),
        "t": ([(x, y + h), (x + w, y + h), (x + w + dx, y + h + dy), (x + dx, y + h + dy)], 0.85),
        "s": ([(x + w, y), (x + w + dx, y + dy), (x + w + dx, y + h + dy), (x + w, y + h)], 0.7),
    }
    for face in faces:
        corners, light = polygons[face]
        style = {"fc": _shade(color, light), "ec": "0.25"} if fill else {"fc": "none", "ec": color}
        ax.add_patch(plt.Polygon(corners, lw=lw, alpha=alpha, **style))
    if 1 < slices <= 64:
        for k in range(1, slices):
            ox, oy = dx * k / slices, dy * k / slices
            ax.plot([x + ox, x + w + ox], [y + h + oy] * 2, color="0.3", lw=0.5)
            ax.plot([x + w + ox] * 2, [y + oy, y + h + oy], color="0.3", lw=0.5)
    return x + w + dx, y + h + dy


def _finish_box_axes(ax, margin: float = 0.4, adjustable: str = "box") -> None:
    """Equal aspect around what is drawn, plus ``margin``; with ``adjustable="datalim"``
    the axes keep their box (to line up with a neighbour) and the limits grow instead."""
    (x0, y0), (x1, y1) = ax.dataLim.get_points()
    ax.update_datalim([(x0 - margin, y0 - margin), (x1 + margin, y1 + margin)])
    ax.margins(0)
    ax.set_aspect("equal", adjustable=adjustable)
    ax.autoscale_view()
    ax.axis("off")


def _conv_formula(n: int, p: int, f: int, s: int) -> str:
    return f"⌊({n} + 2·{p} − {f})/{s}⌋ + 1 = {(n + 2 * p - f) // s + 1}"


# ------------------------------------------------------------------ 1. sliding window


def sliding_window(image, kernel, stride=1, padding=0, step=(0, 0)):
    """The kernel's window over the (zero-padded) input at output position ``step``.

    Three panels, one cell size: the input with its values (padding greyed) and the
    window framed, the kernel, and the output map (cross-correlation, as in Keras) with
    the computed cell framed. The title gives ⌊(N + 2P − F)/S⌋ + 1 with the numbers and
    the bottom line the sum of products for that cell.
    """
    image, kernel = _matrix(image, "La imagen"), _matrix(kernel, "El kernel")
    stride, padding = _int(stride, "El stride", 1), _int(padding, "El padding", 0)
    padded = np.pad(image, padding)
    (ph, pw), (fh, fw) = padded.shape, kernel.shape
    if fh > ph or fw > pw:
        raise ValueError(
            f"El kernel {fh}×{fw} no cabe en la imagen con relleno {ph}×{pw} "
            f"(N + 2P = {image.shape[0]} + 2·{padding}): la salida quedaría vacía."
        )
    oh, ow = (ph - fh) // stride + 1, (pw - fw) // stride + 1
    output = np.array(
        [
            [np.sum(padded[i * stride : i * stride + fh, j * stride : j * stride + fw] * kernel)]
            for i in range(oh)
            for j in range(ow)
        ]
    ).reshape(oh, ow)
    r, c = (int(v) for v in step)
    if not (0 <= r < oh and 0 <= c < ow):
        raise ValueError(f"step={tuple(step)} está fuera de la salida {oh}×{ow}.")
    shade = np.pad(np.zeros(image.shape, bool), padding, constant_values=True)

    cell, fontsize = _cell_size(3 * pw + 2, ph + 3)
    plt = _plt()
    fig, axes = plt.subplots(
        1, 3, figsize=(3 * pw * cell + 1.2, ph * cell + 1.6), layout="constrained"
    )
    entry = f"entrada {image.shape[0]}×{image.shape[1]}"
    if padding:
        entry += f" con relleno P = {padding}"
    window = (r * stride, c * stride, fh, fw, "C1")
    _grid(
        axes[0], padded, span=(ph, pw), marks=[window], shade=shade, title=entry, fontsize=fontsize
    )
    _grid(axes[1], kernel, span=(ph, pw), title=f"kernel {fh}×{fw}", fontsize=fontsize)
    _grid(
        axes[2], output, span=(ph, pw), marks=[(r, c, 1, 1, "C1")],
        title=f"salida {oh}×{ow} (S = {stride})", fontsize=fontsize,
    )  # fmt: skip
    n, m = image.shape
    if n == m and fh == fw:
        size = f"Tamaño de salida ⌊(N + 2P − F)/S⌋ + 1 = {_conv_formula(n, padding, fh, stride)}"
    else:
        size = (
            f"Tamaño de salida: alto {_conv_formula(n, padding, fh, stride)}; "
            f"ancho {_conv_formula(m, padding, fw, stride)}"
        )
    fig.suptitle(size)
    patch = padded[r * stride : r * stride + fh, c * stride : c * stride + fw]
    if patch.size <= 9:
        terms = " + ".join(
            f"{_factor(a)}·{_factor(b)}" for a, b in zip(patch.flat, kernel.flat, strict=True)
        )
    else:
        terms = "Σ ventana ⊙ kernel"
    fig.supxlabel(f"salida[{r}, {c}] = {terms} = {_num(output[r, c])}", fontsize=fontsize + 1)
    return fig


# ------------------------------------------------------------------ 2. kernel volume


def _vol(v: int) -> float:
    """Drawing length of a dimension: square-root scale, so 3 and 64 both stay legible."""
    return 0.5 * math.sqrt(v)


def kernel_volume(height, width, channels, kernel=3, filters=4, padding="same"):
    """An H×W×M input volume, one F×F×M kernel spanning all M channels, and the K maps.

    Oblique projection; lengths on a square-root scale. The kernel is drawn in place
    (top-left window, all channels) and on its own; dashed lines run from the window to
    the one output value it produces. The bottom line gives (F·F·M + 1)·K.
    """
    h, w = _int(height, "height", 1), _int(width, "width", 1)
    m, f = _int(channels, "channels", 1), _int(kernel, "kernel", 1)
    k = _int(filters, "filters", 1)
    if padding not in ("same", "valid"):
        raise ValueError(f"padding debe ser 'same' o 'valid', no {padding!r}.")
    if f > min(h, w):
        raise ValueError(f"El kernel {f}×{f} no cabe en la entrada {h}×{w}.")
    oh, ow = (h, w) if padding == "same" else (h - f + 1, w - f + 1)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 4.6), layout="constrained")
    wi, hi, di, fk = _vol(w), _vol(h), _vol(m), _vol(f)
    wo, ho, do = _vol(ow), _vol(oh), _vol(k)
    y_in, y_out = -hi / 2, -ho / 2
    top_in, top_out = y_in + hi, y_out + ho
    right_in, _ = _box(ax, 0, y_in, wi, hi, di, "#9ecae1", slices=m)
    _box(ax, 0, top_in - fk, fk, fk, di, "C1", faces="ft", alpha=0.8, lw=1.5)
    x_kernel = right_in + 1.2
    x_out = x_kernel + fk + di * _DEPTH[0] + 1.2
    px = max(wo / ow, 0.15)
    # The kernel's copy goes below the dashed lines from the window to its output value.
    slope = (top_out - px - top_in + fk) / x_out
    under = top_in - fk + slope * (x_out - 1.2 if slope < 0 else x_kernel) - 0.3
    y_kernel = min(y_in, under - fk - di * _DEPTH[1])
    _box(ax, x_kernel, y_kernel, fk, fk, di, "C1", slices=m)
    _box(ax, x_out, y_out, wo, ho, do, "#a1d99b", slices=k)
    ax.add_patch(plt.Rectangle((x_out, top_out - px), px, px, fc="C1", ec="0.2", zorder=3))
    for (x0, y0), (x1, y1) in (
        ((0, top_in), (x_out, top_out)),
        ((fk, top_in), (x_out + px, top_out)),
        ((0, top_in - fk), (x_out, top_out - px)),
        ((fk, top_in - fk), (x_out + px, top_out - px)),
    ):
        ax.plot([x0, x1], [y0, y1], ls="--", color="C1", lw=0.9)
    bottom = min(y_in, y_out, y_kernel) - 0.35
    for x, text in (
        (wi / 2, f"entrada H×W×M\n{h}×{w}×{m}\n(M = {m} canales)"),
        (x_kernel + fk / 2, f"un filtro F×F×M\n{f}×{f}×{m}\n(abarca los {m} canales)"),
        (x_out + wo / 2, f"salida {oh}×{ow}×K\n{oh}×{ow}×{k}\n(K = {k} filtros → {k} mapas)"),
    ):
        ax.text(x, bottom, text, ha="center", va="top", fontsize=9)
    _finish_box_axes(ax)
    fig.suptitle(f"Convolución sobre {m} canales: cada filtro es un volumen {f}×{f}×{m}")
    params = (f * f * m + 1) * k
    fig.supxlabel(f"parámetros = (F·F·M + 1)·K = ({f}·{f}·{m} + 1)·{k} = {params}")
    return fig


# ------------------------------------------------------------------ 3. receptive field


def receptive_field(layers):
    """How many input pixels one unit sees after each layer, in 1-D.

    ``layers`` is a list of ``(kernel, stride)`` pairs. Rows of units, input at the
    bottom; lines run from one unit of the last layer down to the input pixels it sees,
    and each row's label gives its receptive field r = r_prev + (F − 1)·(product of the
    previous strides).
    """
    if not layers:
        raise ValueError("layers está vacía: hace falta al menos una capa (kernel, stride).")
    pairs = [(_int(f, "kernel", 1), _int(s, "stride", 1)) for f, s in layers]
    fields, jumps = [1], [1]
    for f, s in pairs:
        fields.append(fields[-1] + (f - 1) * jumps[-1])
        jumps.append(jumps[-1] * s)
    top = 3 if fields[-1] + 2 * jumps[-1] <= 48 else 1
    counts = [fields[-1] + (top - 1) * jumps[-1]]
    for f, s in pairs:
        counts.append((counts[-1] - f) // s + 1)
    cone = [set() for _ in counts]
    cone[-1] = {counts[-1] // 2}
    for level in range(len(pairs), 0, -1):
        f, s = pairs[level - 1]
        cone[level - 1] = {j * s + t for j in cone[level] for t in range(f)}

    def position(level: int, j: int) -> float:
        return j * jumps[level] + (fields[level] - 1) / 2

    plt = _plt()
    n = counts[0]
    fig, ax = plt.subplots(
        figsize=(min(14, 3 + 0.28 * n), 1.4 + 0.85 * len(counts)), layout="constrained"
    )
    marker = max(12, min(110, (260 / n) ** 2))
    for level, count in enumerate(counts):
        xs = [position(level, j) for j in range(count)]
        inside = [j in cone[level] for j in range(count)]
        ax.scatter(
            xs, [level] * count, s=marker, zorder=3, ec="0.3",
            c=["C1" if hit else "white" for hit in inside],
        )  # fmt: skip
        if level:
            f, s = pairs[level - 1]
            for j in cone[level]:
                for t in range(f):
                    x0, x1 = position(level, j), position(level - 1, j * s + t)
                    ax.plot([x0, x1], [level, level - 1], color="C1", lw=0.9, zorder=2)
    lo, hi = min(cone[0]), max(cone[0])
    ax.annotate(
        "", xy=(lo - 0.4, -0.45), xytext=(hi + 0.4, -0.45),
        arrowprops={"arrowstyle": "|-|", "color": "C1", "lw": 1.2},
    )  # fmt: skip
    ax.text((lo + hi) / 2, -0.6, f"{fields[-1]} píxeles", ha="center", va="top", color="C1")
    labels = [f"entrada\ncampo receptivo {fields[0]}"] + [
        f"capa {i} (F = {f}, S = {s})\ncampo receptivo {fields[i]}"
        for i, (f, s) in enumerate(pairs, 1)
    ]
    ax.set_yticks(range(len(counts)), labels)
    ax.set_ylim(-1.1, len(counts) - 0.6)
    ax.set_xlim(-1, n)
    ax.tick_params(left=False, bottom=False, labelbottom=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title("Campo receptivo: " + " → ".join(map(str, fields)) + " píxeles")
    return fig


# ------------------------------------------------------------------ 4. Dense ↔ Conv2D


def dense_vs_conv(n=4, channels=2, units=3):
    """A Dense layer over a flattened n×n×c volume beside the Conv2D with an n×n kernel.

    Both have (n·n·c + 1)·u parameters, written under each panel: each of the u filters
    covers the whole input, exactly like each of the u dense units.
    """
    n, c, u = _int(n, "n", 1), _int(channels, "channels", 1), _int(units, "units", 1)
    size, params = n * n * c, (n * n * c + 1) * units
    plt = _plt()
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 5), layout="constrained", width_ratios=(1, 1.15)
    )
    shown = list(range(size)) if size <= 14 else [*range(8), None, *range(size - 4, size)]
    ys = np.linspace(1, 0, len(shown))
    outs = np.linspace(0.5 + 0.08 * u, 0.5 - 0.08 * u, u) if u > 1 else np.array([0.5])
    for y, idx in zip(ys, shown, strict=True):
        if idx is None:
            left.text(0, y, "⋮", ha="center", va="center", fontsize=14)
            continue
        left.plot([[0] * u, [1] * u], [[y] * u, outs], color="C0", lw=0.5, alpha=0.5)
        left.scatter([0], [y], s=70, c="white", ec="0.3", zorder=3)
    left.text(-0.08, ys[0], "x₁", ha="right", va="center")
    left.text(-0.08, ys[-1], f"x{size}".translate(_SUBSCRIPTS), ha="right", va="center")
    left.scatter([0.35], [-0.12], s=70, marker="s", c="0.85", ec="0.3", zorder=3)
    left.text(0.35, -0.2, "sesgo (1)", ha="center", va="top", fontsize=8)
    for y in outs:
        left.plot([0.35, 1], [-0.12, y], color="0.5", lw=0.6, ls="--")
    left.scatter([1] * u, outs, s=120, c="C2", ec="0.3", zorder=3)
    left.set_xlim(-0.4, 1.3)
    left.set_ylim(-0.35, 1.08)
    left.axis("off")
    left.set_title(f"Densa: aplanar {n}×{n}×{c} → {size} entradas, Dense({u})")

    cell = 0.5
    side, depth = n * cell, c * cell
    _box(right, 0, 0, side, side, depth, "#9ecae1", slices=c)
    for t in range(1, n):
        right.plot([t * cell] * 2, [0, side], color="0.35", lw=0.5)
        right.plot([0, side], [t * cell] * 2, color="0.35", lw=0.5)
    _box(right, 0, 0, side, side, depth, "C1", alpha=1.0, lw=2.5, fill=False)
    x_out = side + depth * _DEPTH[0] + 1.6
    y_out = side / 2 - cell / 2
    right.annotate(
        "", xy=(x_out - 0.2, y_out + cell / 2), xytext=(side + depth * _DEPTH[0] + 0.2, side / 2),
        arrowprops={"arrowstyle": "->", "lw": 1.5},
    )  # fmt: skip
    _box(right, x_out, y_out, cell, cell, u * cell, "C2", slices=u)
    right.text(
        side / 2,
        -0.25,
        f"entrada {n}×{n}×{c}\n= kernel {n}×{n}×{c} (borde naranja)",
        ha="center",
        va="top",
    )
    right.text(x_out + cell / 2, y_out - 0.25, f"salida 1×1×{u}", ha="center", va="top")
    _finish_box_axes(right, margin=0.6, adjustable="datalim")
    right.set_title(f"Conv2D({u}, kernel {n}×{n}, 'valid'): cada filtro cubre toda la entrada")
    formula = f"(n·n·c + 1)·u = ({n}·{n}·{c} + 1)·{u} = {params} parámetros"
    for ax in (left, right):
        ax.text(0.5, -0.02, formula, transform=ax.transAxes, ha="center", va="top", fontsize=11)
    fig.suptitle(f"Densa ↔ Conv2D con kernel {n}×{n}: la misma cuenta, {params} parámetros")
    return fig


# ------------------------------------------------------------------ 6. transposed conv


def transposed_conv(x, w, stride=2):
    """The transposed convolution ('valid') of ``x`` with kernel ``w``, drawn step by step.

    Top row: the input (each value in its own color), the kernel and the summed output,
    (N − 1)·S + F on a side. Below, one panel per input value: that value times the
    kernel, placed at S·(i, j) on the output grid; the output is the sum of the panels.
    """
    x, w = _matrix(x, "La entrada x"), _matrix(w, "El kernel w")
    s = _int(stride, "El stride", 1)
    (h, wd), (fh, fw) = x.shape, w.shape
    oh, ow = (h - 1) * s + fh, (wd - 1) * s + fw
    out = np.zeros((oh, ow))
    parts = []
    for k, ((i, j), value) in enumerate(np.ndenumerate(x)):
        part = np.full((oh, ow), np.nan)
        part[i * s : i * s + fh, j * s : j * s + fw] = value * w
        out[i * s : i * s + fh, j * s : j * s + fw] += value * w
        parts.append((i, j, value, part, f"C{k % 10}"))
    ncols = max(3, wd)
    cell, fontsize = _cell_size(ncols * (ow + 1), (h + 1) * (oh + 1.6))
    plt = _plt()
    fig = plt.figure(
        figsize=(max(7.5, ncols * (ow + 0.6) * cell + 0.5), (h + 1) * (oh + 1.6) * cell + 0.8),
        layout="constrained",
    )
    grid = fig.add_gridspec(h + 1, ncols)
    span = (oh, ow)
    marks = [(i, j, 1, 1, color) for i, j, _, _, color in parts]
    _grid(
        fig.add_subplot(grid[0, 0]),
        x,
        span=span,
        marks=marks,
        title=f"entrada x {h}×{wd}",
        fontsize=fontsize,
    )
    _grid(fig.add_subplot(grid[0, 1]), w, span=span, title=f"kernel K {fh}×{fw}", fontsize=fontsize)
    _grid(
        fig.add_subplot(grid[0, ncols - 1]),
        out,
        span=span,
        title=f"salida = Σ copias, {oh}×{ow}",
        fontsize=fontsize,
    )
    for i, j, value, part, color in parts:
        ax = fig.add_subplot(grid[i + 1, j])
        mark = [(i * s, j * s, fh, fw, color)]
        title = f"x[{i},{j}]·K = {_factor(value)}·K"
        _grid(ax, part, span=span, marks=mark, title=title, fontsize=fontsize)
    if oh == ow and fh == fw and h == wd:
        size = f"(N − 1)·S + F = ({h} − 1)·{s} + {fh} = {oh}"
    else:
        size = f"alto ({h} − 1)·{s} + {fh} = {oh}, ancho ({wd} − 1)·{s} + {fw} = {ow}"
    fig.suptitle(f"Convolución transpuesta (S = {s}): salida {size}")
    return fig
