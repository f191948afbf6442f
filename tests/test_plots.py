"""The pack's figures render (Agg, no display) and say the right numbers."""

from __future__ import annotations

import io
import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.text import Text
from PIL import Image

from cnn_course import diagrams, plots

matplotlib.use("Agg")

LENET = [
    ("Entrada", (32, 32, 1)),
    ("Conv 6@5×5", (28, 28, 6)),
    ("AvgPool 2×2", (14, 14, 6)),
    ("Conv 16@5×5", (10, 10, 16)),
    ("AvgPool 2×2", (5, 5, 16)),
    ("Conv 120@5×5", (1, 1, 120)),
    ("Aplanar", (120,)),
    ("Densa 84", (84,)),
    ("Densa 10", (10,)),
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def render(fig) -> None:
    """Save ``fig`` as PNG and check it is a real picture; any warning (a glyph missing
    from the font, a layout that failed) is an error."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(buffer, format="png", dpi=60)
    data = buffer.getvalue()
    assert len(data) > 5_000
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 2


def all_text(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def cells(ax) -> list[str]:
    """The numbers a grid panel shows, row by row (blank cells as "")."""
    return [t.get_text() for t in ax.texts]


def blocks(fig) -> int:
    return sum(p.get_gid() == "bloque" for p in fig.axes[0].patches)


def correlate(image, kernel, stride):
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)[::stride, ::stride]
    return np.einsum("ijkl,kl->ij", windows, kernel)


# ------------------------------------------------------------------ sliding_window


def test_sliding_window_title_output_and_sum():
    image = np.arange(25).reshape(5, 5) % 4
    kernel = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    fig = plots.sliding_window(image, kernel, stride=2, padding=1, step=(1, 2))
    render(fig)
    assert "⌊(5 + 2·1 − 3)/2⌋ + 1 = 3" in fig.get_suptitle()
    expected = correlate(np.pad(image, 1), kernel, 2)
    assert cells(fig.axes[2]) == [str(int(v)) for v in expected.flat]
    assert fig.get_supxlabel().endswith(f"= {int(expected[1, 2])}")
    assert cells(fig.axes[0]) == [str(v) for v in np.pad(image, 1).flat]
    assert "salida 3×3" in all_text(fig)


def test_sliding_window_rectangular_gives_both_sizes():
    fig = plots.sliding_window(np.ones((4, 6)), np.full((2, 3), 0.5), step=(2, 3))
    render(fig)
    title = fig.get_suptitle()
    assert "alto ⌊(4 + 2·0 − 2)/1⌋ + 1 = 3" in title
    assert "ancho ⌊(6 + 2·0 − 3)/1⌋ + 1 = 4" in title
    assert cells(fig.axes[2]) == ["3"] * 12


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"image": np.ones((2, 2)), "kernel": np.ones((4, 4))}, "no cabe"),
        ({"image": np.ones((3, 3)), "kernel": np.ones((2, 2)), "step": (2, 0)}, "fuera"),
        ({"image": np.ones((3, 3)), "kernel": np.ones((2, 2)), "stride": 0}, "stride"),
        ({"image": np.ones(5), "kernel": np.ones((2, 2))}, "2-D"),
        ({"image": np.ones((3, 3)), "kernel": np.ones((2, 2)), "padding": -1}, "padding"),
    ],
)
def test_sliding_window_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.sliding_window(**kwargs)


def test_sliding_window_padding_makes_a_big_kernel_fit():
    fig = plots.sliding_window(np.ones((2, 2)), np.ones((4, 4)), padding=1)
    assert "= 1" in fig.get_suptitle()


# ------------------------------------------------------------------ kernel_volume


def test_kernel_volume_parameter_count():
    fig = plots.kernel_volume(32, 32, 3, kernel=3, filters=4)
    render(fig)
    assert "(3·3·3 + 1)·4 = 112" in fig.get_supxlabel()
    assert "32×32×4" in all_text(fig)


def test_kernel_volume_valid_and_many_channels():
    fig = plots.kernel_volume(16, 16, 64, kernel=3, filters=128, padding="valid")
    render(fig)
    assert f"= {(3 * 3 * 64 + 1) * 128}" in fig.get_supxlabel()
    assert "14×14×128" in all_text(fig)


@pytest.mark.parametrize(
    "kwargs",
    [{"kernel": 9}, {"padding": "full"}, {"filters": 0}, {"channels": 2.5}],
)
def test_kernel_volume_rejects_bad_input(kwargs):
    args = {"height": 8, "width": 8, "channels": 3} | kwargs
    with pytest.raises(ValueError):
        plots.kernel_volume(**args)


# ------------------------------------------------------------------ receptive_field


def test_receptive_field_sizes_and_cone():
    fig = plots.receptive_field([(3, 1), (3, 1), (3, 2), (3, 1)])
    render(fig)
    ax = fig.axes[0]
    assert "1 → 3 → 5 → 7 → 11" in ax.get_title()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].endswith("campo receptivo 1")
    assert labels[-1] == "capa 4 (F = 3, S = 1)\ncampo receptivo 11"
    highlighted = np.all(ax.collections[0].get_facecolors() == to_rgba("C1"), axis=1)
    assert highlighted.sum() == 11  # input pixels the top unit sees
    assert "11 píxeles" in all_text(fig)


def test_receptive_field_deep_strided_stack():
    fig = plots.receptive_field([(3, 2)] * 5)
    render(fig)
    assert fig.axes[0].get_title().endswith("31 → 63 píxeles")


@pytest.mark.parametrize("layers", [[], [(0, 1)], [(3, 0)]])
def test_receptive_field_rejects_bad_input(layers):
    with pytest.raises(ValueError):
        plots.receptive_field(layers)


# ------------------------------------------------------------------ dense_vs_conv


def test_dense_vs_conv_counts_match_keras():
    import keras

    dense = keras.Sequential([keras.Input((4 * 4 * 2,)), keras.layers.Dense(3)])
    conv = keras.Sequential([keras.Input((4, 4, 2)), keras.layers.Conv2D(3, 4)])
    assert dense.count_params() == conv.count_params() == 99
    fig = plots.dense_vs_conv(4, 2, 3)
    render(fig)
    under = [t.get_text() for ax in fig.axes for t in ax.texts if "parámetros" in t.get_text()]
    assert under == ["(n·n·c + 1)·u = (4·4·2 + 1)·3 = 99 parámetros"] * 2
    assert "99" in fig.get_suptitle()


def test_dense_vs_conv_small():
    fig = plots.dense_vs_conv(2, 1, 1)
    render(fig)
    assert "(2·2·1 + 1)·1 = 5 parámetros" in all_text(fig)
    with pytest.raises(ValueError):
        plots.dense_vs_conv(0, 1, 1)


# ------------------------------------------------------------------ architecture


def test_architecture_draws_one_block_per_layer():
    fig = plots.architecture(LENET, "LeNet-5")
    render(fig)
    assert blocks(fig) == len(LENET)
    assert fig.get_suptitle() == "LeNet-5"
    text = all_text(fig)
    for label, shape in LENET:
        assert label.replace(" ", "\n", 1) in text
        assert "×".join(map(str, shape)) in text


def test_architecture_long_model_turns_labels():
    layers = [("Entrada", (64, 64, 3))] + [(f"Conv {k}@3×3", (64, 64, k)) for k in range(1, 20)]
    fig = plots.architecture(layers, "larga")
    render(fig)
    assert blocks(fig) == 20
    assert {t.get_rotation() for t in fig.axes[0].texts if t.get_text()} == {90.0}


@pytest.mark.parametrize("layers", [[], [("Rara", (1, 2, 3, 4))], [("Vacía", ())]])
def test_architecture_rejects_bad_input(layers):
    with pytest.raises(ValueError):
        plots.architecture(layers, "x")


def test_architecture_of_sequential():
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.MaxPooling2D(2),
            layers.AveragePooling2D(3),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(5),
        ],
        name="pequeña",
    )
    drawn = [ly for ly in model.layers if type(ly).__name__ not in plots.SKIPPED_LAYERS]
    fig = plots.architecture_of(model)
    render(fig)
    assert blocks(fig) == len(drawn) + 1 == 6
    assert fig.get_suptitle() == "pequeña"
    text = all_text(fig)
    for expected in ("Conv\n4@3×3", "MaxPool\n2×2", "AvgPool\n3×3", "Aplanar", "Densa\n5"):
        assert expected in text
    for shape in ("6×6×4", "3×3×4", "1×1×4"):
        assert shape in text


def test_architecture_of_functional_with_branches():
    import keras
    from keras import layers

    inputs = keras.Input((16, 16, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    y = layers.Conv2D(8, 3, padding="same")(x)
    x = layers.Add()([x, y])
    up = layers.Conv2DTranspose(4, 2, strides=2)(x)
    x = layers.Concatenate()([up, layers.Conv2D(4, 1)(inputs)])
    outputs = layers.Dense(2)(layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    fig = plots.architecture_of(model, "ramas")
    render(fig)
    assert blocks(fig) == len(model.layers)  # the InputLayer becomes "Entrada"
    text = all_text(fig)
    for expected in ("Conv\n8@3×3 /2", "Suma", "ConvT\n4@2×2 ↑2", "Concat.", "Prom.\nglobal"):
        assert expected in text


def test_architecture_of_unbuilt_model():
    import keras

    with pytest.raises(ValueError, match="no está construido"):
        plots.architecture_of(keras.Sequential([keras.layers.Dense(2)]))


# ------------------------------------------------------------------ transposed_conv


def test_transposed_conv_class_example():
    fig = plots.transposed_conv([[0, 1], [2, 3]], [[1, 2], [3, 4]], stride=1)
    render(fig)
    assert "(2 − 1)·1 + 2 = 3" in fig.get_suptitle()
    assert cells(fig.axes[2]) == ["0", "1", "2", "2", "10", "10", "6", "17", "12"]
    assert len(fig.axes) == 3 + 4  # input, kernel, sum, one panel per input value
    assert cells(fig.axes[6]) == ["", "", "", "", "3", "6", "", "9", "12"]  # 3·K at (1, 1)


def test_transposed_conv_matches_keras():
    import keras

    rng = np.random.default_rng(0)
    x, w = rng.integers(-3, 4, (3, 3)), rng.integers(-2, 3, (2, 2))
    layer = keras.layers.Conv2DTranspose(1, 2, strides=2, use_bias=False)
    layer.build((1, 3, 3, 1))
    layer.set_weights([w.reshape(2, 2, 1, 1).astype("float32")])
    expected = np.asarray(layer(x.reshape(1, 3, 3, 1).astype("float32")))[0, :, :, 0]
    fig = plots.transposed_conv(x, w, stride=2)
    render(fig)
    assert "= 6" in fig.get_suptitle()
    assert cells(fig.axes[2]) == [str(int(v)) for v in expected.flat]


def test_transposed_conv_rejects_bad_input():
    with pytest.raises(ValueError, match="stride"):
        plots.transposed_conv([[1]], [[1]], stride=0)
    with pytest.raises(ValueError, match="no finitos"):
        plots.transposed_conv([[np.nan]], [[1]])


def test_every_diagram_is_reachable_from_plots():
    for name in ("sliding_window", "kernel_volume", "receptive_field"):
        assert getattr(plots, name) is getattr(diagrams, name)
    for name in plots.__all__:
        assert callable(getattr(plots, name))
