"""Tests for `cnn_course.checks.convolucion` and the solutions of «Convolución desde cero».

Three layers: the slides' numbers against Keras; property tests (hypothesis) of every
solution function against the Keras layer it imitates; and the checks themselves, which
must pass the solutions and fail typical wrong implementations with the right message key.
"""

from __future__ import annotations

import math
import sys

import nbutil
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnn_course.checks.convolucion as conv
from cnn_course.checks.convolucion import reference
from cnn_course.checks.toolkit import CheckError, keras_conv_params, keras_output_size

NOTEBOOK = "solutions/01_convolucion/convolucion.ipynb"
SOLUTION_IDS = [
    "conv2d-single",
    "errata-conv",
    "convolve2d",
    "output-size",
    "pad-image",
    "conv2d-strided",
    "conv2d",
    "conv-params",
    "dilate-kernel",
    "relu-kernels",
    "pool2d",
    "errata-pool",
    "maxpool-backward",
    "conv-transpose2d",
    "receptive-field",
    "dense-to-conv",
    "locally-connected-params",
]
PREAMBLE = (
    "import numpy as np\n"
    "from cnn_course.checks.convolucion import SLIDE_IMAGE as slide_image, SLIDE_KERNEL as slide_kernel\n"
)
PROPERTY = settings(max_examples=25, deadline=None)


def _sol() -> dict:
    """The solution functions, executed once from the source notebook's cells."""
    # A plain cache rather than a fixture: hypothesis' @given tests cannot take fixtures.
    if not hasattr(_sol, "cache"):
        _sol.cache = nbutil.solution_namespace(NOTEBOOK, SOLUTION_IDS, preamble=PREAMBLE)
    return _sol.cache


@pytest.fixture
def sol() -> dict:
    """The solution namespace, for tests that take it as a fixture."""
    return _sol()


def _raises(key: str, check, *args) -> CheckError:
    with pytest.raises(CheckError) as info:
        check(*args)
    assert info.value.key == key, f"{info.value.key}: {info.value}"
    return info.value


def _close(got, ref) -> bool:
    return conv.error(got, ref) <= conv.tol()


# --------------------------------------------------------------------------- the slides' numbers


def test_slide_feature_map_matches_keras():
    """The worked example's feature map is what Conv2D computes (first row -2, 0, 2)."""
    ref = reference.keras_conv2d_single(conv.SLIDE_IMAGE, conv.SLIDE_KERNEL)
    np.testing.assert_allclose(ref, conv.SLIDE_FEATURE_MAP)
    assert ref[conv.SLIDE_ERRATA_ENTRY] == 0  # the slide prints -1 there


def test_slide_pooling_tables_match_keras():
    """The slides' max and average pooling tables, and the errata's correct average."""
    table = conv.POOL_TABLE[:, :, None]
    np.testing.assert_allclose(reference.keras_pool(table, 2, 2, "max")[:, :, 0], conv.POOL_MAX)
    np.testing.assert_allclose(reference.keras_pool(table, 2, 2, "avg")[:, :, 0], conv.POOL_AVG)
    errata = reference.keras_pool(conv.ERRATA_POOL_TABLE[:, :, None], 2, 2, "avg")[:, :, 0]
    np.testing.assert_allclose(errata, conv.ERRATA_POOL_AVG)
    assert not np.allclose(errata, conv.ERRATA_POOL_SLIDE_AVG)


def test_slide_transposed_convolution_matches_keras():
    """[[0, 1], [2, 3]] transposed-convolved with [[1, 2], [3, 4]] is the slides' 3×3 map."""
    x = conv.TRANSPOSE_X[:, :, None]
    w = conv.TRANSPOSE_W[:, :, None, None]
    ref = reference.keras_conv_transpose2d(x, w, np.zeros(1))[:, :, 0]
    np.testing.assert_allclose(ref, conv.TRANSPOSE_OUT)


def test_slide_sizes_match_keras():
    """Output sizes of the slides (N=7, F=3, S=3 gives 2) come from Keras' shape inference."""
    for (n, f, s, padding), expected in conv.SLIDE_SIZES:
        assert keras_output_size(n, f, s, padding) == expected
        assert conv.Axis(n, f, s, padding).expected == expected
    assert keras_conv_params(3, 4, 3) == 111


def test_slide_receptive_fields_match_keras():
    """The public receptive-field stacks agree with the field measured by gradients."""
    for stack, expected in conv.SLIDE_STACKS:
        assert reference.keras_receptive_field(stack) == expected


@PROPERTY
@given(n=st.integers(1, 12), f=st.integers(1, 5), s=st.integers(1, 4))
def test_same_padding_reference_is_what_keras_does(n, f, s):
    """Padding by same_padding_reference then 'valid' equals Conv2D(padding='same')."""
    rng = np.random.default_rng(n * 100 + f * 10 + s)
    x = rng.normal(size=(n, n, 1)).astype(np.float32)
    w = rng.normal(size=(f, f, 1, 1)).astype(np.float32)
    before, after = reference.same_padding_reference(n, f, s)
    padded = np.pad(x, ((before, after), (before, after), (0, 0)))
    if padded.shape[0] < f:  # Keras pads nothing when the kernel already covers it all
        return
    manual = reference.keras_conv2d(padded, w, np.zeros(1), s, "valid")
    assert _close(manual, reference.keras_conv2d(x, w, np.zeros(1), s, "same"))


# --------------------------------------------------------------------------- solutions vs Keras


def _data(seed: int, *shape) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


seeds = st.integers(0, 2**32 - 1)
paddings = st.sampled_from(["valid", "same", 0, 1, 2])


@PROPERTY
@given(f=st.integers(1, 4), extra=st.tuples(st.integers(0, 5), st.integers(0, 5)), seed=seeds)
def test_conv2d_single_matches_keras(f, extra, seed):
    """conv2d_single equals Conv2D with one filter and no bias."""
    image, kernel = _data(seed, f + extra[0], f + extra[1]), _data(seed + 1, f, f)
    got = _sol()["conv2d_single"](image, kernel)
    assert _close(got, reference.keras_conv2d_single(image, kernel))


@PROPERTY
@given(
    f=st.integers(1, 4), s=st.integers(1, 3), padding=paddings, extra=st.integers(0, 6), seed=seeds
)
def test_conv2d_strided_matches_keras(f, s, padding, extra, seed):
    """conv2d_strided equals Conv2D for every stride and padding, dividing or not."""
    image, kernel = _data(seed, f + extra, f + 6 - extra), _data(seed + 1, f, f)
    got = _sol()["conv2d_strided"](image, kernel, s, padding)
    assert _close(got, reference.keras_conv2d_single(image, kernel, s, padding))


@PROPERTY
@given(
    f=st.integers(1, 4),
    s=st.integers(1, 3),
    padding=paddings,
    sizes=st.tuples(st.integers(0, 5), st.integers(0, 5)),
    channels=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    seed=seeds,
)
def test_conv2d_matches_keras(f, s, padding, sizes, channels, seed):
    """conv2d equals Conv2D with weights and bias copied in, any channels and filters."""
    c, k = channels
    x = _data(seed, f + sizes[0], f + sizes[1], c)
    w, b = _data(seed + 1, f, f, c, k), _data(seed + 2, k)
    got = _sol()["conv2d"](x, w, b, s, padding)
    assert _close(got, reference.keras_conv2d(x, w, b, s, padding))


@PROPERTY
@given(n=st.integers(1, 20), f=st.integers(1, 6), s=st.integers(1, 5), padding=paddings)
def test_output_size_and_same_padding_match_keras(n, f, s, padding):
    """output_size equals Keras' shape inference; same_padding equals Keras' 'same' rule."""
    if padding != "same" and n + 2 * (0 if padding == "valid" else padding) < f:
        return  # no window fits: Keras rejects the shape
    assert _sol()["output_size"](n, f, s, padding) == keras_output_size(n, f, s, padding)
    assert tuple(_sol()["same_padding"](n, f, s)) == reference.same_padding_reference(n, f, s)


@PROPERTY
@given(
    shape=st.tuples(st.integers(3, 6), st.integers(3, 6), st.sampled_from([None, 1, 3])),
    pad=st.one_of(st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * 4)),
    mode=st.sampled_from(["constant", "reflect", "wrap"]),
    seed=seeds,
)
def test_pad_image_matches_keras(shape, pad, mode, seed):
    """pad_image equals ZeroPadding2D / keras.ops.pad (reflect) / np.pad (wrap)."""
    x = _data(seed, *[d for d in shape if d is not None])
    got = _sol()["pad_image"](x, pad, mode)
    assert got.shape == reference.keras_pad(x, pad, mode).shape
    assert _close(got, reference.keras_pad(x, pad, mode))


@PROPERTY
@given(
    f=st.integers(1, 4), d=st.integers(1, 4), padding=st.sampled_from(["valid", "same"]), seed=seeds
)
def test_dilate_kernel_matches_keras_dilation(f, d, padding, seed):
    """Conv2D with the dilated kernel equals Conv2D(dilation_rate=d)."""
    size = d * (f - 1) + 1
    x, w, b = _data(seed, size + 2, size + 1, 2), _data(seed + 1, f, f, 2, 3), _data(seed + 2, 3)
    dilated = _sol()["dilate_kernel"](w, d)
    assert dilated.shape == (size, size, 2, 3)
    ref = reference.keras_conv2d(x, w, b, 1, padding, dilation=d)
    assert _close(reference.keras_conv2d(x, dilated, b, 1, padding), ref)


@PROPERTY
@given(
    size=st.integers(1, 4),
    stride=st.integers(1, 4),
    extra=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    mode=st.sampled_from(["max", "avg", "lp"]),
    p=st.integers(1, 4),
    seed=seeds,
)
def test_pool2d_matches_keras(size, stride, extra, mode, p, seed):
    """pool2d equals MaxPooling2D / AveragePooling2D (LP: (F²·avg(x^p))^(1/p))."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.1, 2, size=(size + extra[0], size + extra[1], 2)).astype(np.float32)
    got = _sol()["pool2d"](x, size, stride, mode, p)
    assert _close(got, reference.keras_pool(x, size, stride, mode, p))


def test_lp_pooling_limits():
    """LP pooling with p=1 is the window sum; with a large p it approaches the maximum."""
    x = np.random.default_rng(0).uniform(0.1, 1, size=(4, 4, 1))
    pool2d = _sol()["pool2d"]
    np.testing.assert_allclose(pool2d(x, 2, 2, "lp", 1), 4 * pool2d(x, 2, 2, "avg"))
    np.testing.assert_allclose(pool2d(x, 2, 2, "lp", 200), pool2d(x, 2, 2, "max"), rtol=0.01)


@PROPERTY
@given(
    size=st.integers(2, 3),
    stride=st.integers(1, 3),
    extra=st.tuples(st.integers(0, 5), st.integers(0, 5)),
    seed=seeds,
)
def test_maxpool_backward_matches_gradient_tape(size, stride, extra, seed):
    """maxpool_backward equals tf.GradientTape on MaxPooling2D, overlapping windows included."""
    x = _data(seed, size + extra[0], size + extra[1], 2)
    out = (
        conv.Axis(x.shape[0], size, stride).expected,
        conv.Axis(x.shape[1], size, stride).expected,
    )
    dout = _data(seed + 1, *out, 2)
    got = _sol()["maxpool_backward"](x, dout, size, stride)
    assert _close(got, reference.keras_maxpool_grad(x, dout, size, stride))


@PROPERTY
@given(
    f=st.integers(1, 4),
    s=st.integers(1, 4),
    hw=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    channels=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    seed=seeds,
)
def test_conv_transpose2d_matches_keras(f, s, hw, channels, seed):
    """conv_transpose2d equals Conv2DTranspose ('valid') whenever F ≥ S."""
    s = min(s, f)
    c, k = channels
    x, w, b = _data(seed, *hw, c), _data(seed + 1, f, f, k, c), _data(seed + 2, k)
    got = _sol()["conv_transpose2d"](x, w, b, s)
    assert _close(got, reference.keras_conv_transpose2d(x, w, b, s))


layers = st.one_of(
    st.tuples(st.integers(1, 5), st.integers(1, 3), st.just(1)),
    st.tuples(st.integers(1, 5), st.just(1), st.integers(1, 3)),
)


@settings(max_examples=15, deadline=None)
@given(stack=st.lists(layers, min_size=1, max_size=4))
def test_receptive_field_matches_keras_gradients(stack):
    """receptive_field equals the extent of the input gradient of one output in Keras."""
    assert _sol()["receptive_field"](stack) == reference.keras_receptive_field(stack)


@PROPERTY
@given(width=st.integers(1, 4), depth=st.integers(1, 3), units=st.integers(1, 4), seed=seeds)
def test_dense_to_conv_matches_keras(width, depth, units, seed):
    """Conv2D with dense_to_conv's weights computes what Dense does on the flattened volume."""
    x = _data(seed, width, width, depth)
    w, b = _data(seed + 1, width * width * depth, units), _data(seed + 2, units)
    w_conv, b_conv = _sol()["dense_to_conv"](w, b, width, depth)
    dense, conv_out = reference.keras_dense_vs_conv(x, w, b, w_conv, b_conv)
    assert _close(conv_out, dense)


@PROPERTY
@given(f=st.integers(1, 7), m=st.integers(1, 8), k=st.integers(1, 8))
def test_parameter_counts(f, m, k):
    """conv_params equals Conv2D.count_params(); a locally connected layer has one conv per position."""
    assert _sol()["conv_params"](f, m, k) == keras_conv_params(f, m, k)
    n = f + 3
    assert _sol()["locally_connected_params"](n, f, m, k) == 16 * keras_conv_params(f, m, k)


def test_relu_and_kernels(sol):
    """relu equals keras.activations.relu; the classic kernels have their defining sums."""
    import keras

    x = _data(0, 4, 5, 3)
    np.testing.assert_array_equal(
        sol["relu"](x), keras.ops.convert_to_numpy(keras.activations.relu(x))
    )
    assert sol["edge_kernel"].sum() == 0
    assert np.isclose(sol["blur_kernel"].sum(), 1)
    assert np.isclose(sol["sharpen_kernel"].sum(), 1)


# --------------------------------------------------------------------------- checks pass the solutions


CHECKS = [
    ("check_conv2d_single", ["conv2d_single"]),
    ("hidden_conv2d_single", ["conv2d_single"]),
    ("check_errata_conv", ["errata_row", "errata_col", "errata_window"]),
    ("check_convolve2d", ["convolve2d"]),
    ("hidden_convolve2d", ["convolve2d"]),
    ("check_output_size", ["output_size", "same_padding"]),
    ("hidden_output_size", ["output_size", "same_padding"]),
    ("check_pad_image", ["pad_image"]),
    ("hidden_pad_image", ["pad_image"]),
    ("check_conv2d_strided", ["conv2d_strided"]),
    ("hidden_conv2d_strided", ["conv2d_strided"]),
    ("check_conv2d", ["conv2d"]),
    ("hidden_conv2d", ["conv2d"]),
    ("check_conv_params", ["conv_params"]),
    ("hidden_conv_params", ["conv_params"]),
    ("check_dilate_kernel", ["dilate_kernel"]),
    ("hidden_dilate_kernel", ["dilate_kernel"]),
    ("check_relu", ["relu"]),
    ("hidden_relu", ["relu"]),
    ("check_kernels", ["edge_kernel", "blur_kernel", "sharpen_kernel"]),
    ("check_pool2d", ["pool2d"]),
    ("hidden_pool2d", ["pool2d"]),
    ("check_errata_pool", ["errata_average"]),
    ("check_maxpool_backward", ["maxpool_backward"]),
    ("hidden_maxpool_backward", ["maxpool_backward"]),
    ("check_conv_transpose2d", ["conv_transpose2d"]),
    ("hidden_conv_transpose2d", ["conv_transpose2d"]),
    ("check_receptive_field", ["receptive_field"]),
    ("hidden_receptive_field", ["receptive_field"]),
    ("check_dense_to_conv", ["dense_to_conv"]),
    ("hidden_dense_to_conv", ["dense_to_conv"]),
    ("check_locally_connected_params", ["locally_connected_params"]),
    ("hidden_locally_connected_params", ["locally_connected_params"]),
]


@pytest.mark.parametrize(("check", "names"), CHECKS, ids=[c for c, _ in CHECKS])
def test_check_passes_solution(sol, check, names, capsys):
    """Every public and hidden check accepts the solution and prints at least one line."""
    getattr(conv, check)(*(sol[n] for n in names))
    assert capsys.readouterr().out.strip()


def test_hidden_checks_pass_solution_on_other_seeds(sol):
    """The random hidden cases are not tuned to one seed: other seeds pass too."""
    for seed in (1, 7):
        conv.hidden_conv2d(sol["conv2d"], seed=seed)
        conv.hidden_conv2d_strided(sol["conv2d_strided"], seed=seed)
        conv.hidden_pool2d(sol["pool2d"], seed=seed)
        conv.hidden_maxpool_backward(sol["maxpool_backward"], seed=seed)
        conv.hidden_output_size(sol["output_size"], sol["same_padding"], seed=seed)


def test_every_check_is_tested():
    """Each check_*/hidden_* of the module appears in the table above."""
    public = {n for n in dir(conv) if n.startswith(("check_", "hidden_"))}
    assert public == {c for c, _ in CHECKS}


def test_solutions_match_keras_to_float32_rounding(sol, monkeypatch, capsys):
    """Over every hidden case the solutions differ from Keras by float32 rounding only.

    The budget table's ``measured`` for ``tol`` (1.47e-7 at most) comes from this run.
    """
    errors, measure = [], conv.harness.error

    def recording(got, ref):
        errors.append(measure(got, ref))
        return errors[-1]

    monkeypatch.setattr(conv.harness, "error", recording)
    for check, names in CHECKS:
        if check.startswith("hidden_"):
            getattr(conv, check)(*(sol[n] for n in names))
    assert len(errors) > 40
    assert max(errors) < 1e-6 < conv.tol()


def test_tolerance_is_read_from_the_budget_table(sol, monkeypatch):
    """``tol`` is the budget table's, read at every call rather than at import."""
    import cnn_course.sessions as sessions

    assert conv.tol() == sessions.threshold("convolucion", "tol")
    monkeypatch.setattr(sessions, "threshold", lambda session, name: -1.0)
    _raises("conv.mismatch", conv.check_conv2d_single, sol["conv2d_single"])


def test_hidden_checks_ignore_a_patched_tolerance(sol, monkeypatch):
    """A student cell that widens the tolerance does not reach the hidden checks."""
    import cnn_course
    import cnn_course.checks

    saved = {k: v for k, v in sys.modules.items() if k.startswith("cnn_course.")}
    # the fresh import also unbinds submodules from their old parents (messages.common…)
    namespaces = {m: dict(vars(m)) for m in (cnn_course, *saved.values())}
    monkeypatch.setattr(conv.harness, "tol", lambda: math.inf)
    conv.check_convolve2d(sol["conv2d_single"])  # the patched public check "passes"
    try:
        fresh = cnn_course.checks.hidden("convolucion")  # what every hidden cell does
        assert fresh is not conv
        with pytest.raises(AssertionError) as info:  # the fresh toolkit's CheckError
            fresh.hidden_convolve2d(sol["conv2d_single"])
        assert info.value.key == "conv.mismatch"
    finally:  # give the other tests back the modules they imported
        for name in [k for k in sys.modules if k.startswith("cnn_course.")]:
            del sys.modules[name]
        sys.modules.update(saved)
        for module, namespace in namespaces.items():
            vars(module).update(namespace)


# --------------------------------------------------------------------------- wrong implementations


def _ceil_conv(image, kernel, stride=1, padding="valid"):
    """Off-by-one: ⌈(N−F)/S⌉+1 windows, slicing past the edge (the last window is cut)."""
    f = kernel.shape[0]
    if padding not in ("valid", "same"):
        image = np.pad(image, padding)
    h_out = math.ceil((image.shape[0] - f) / stride) + 1
    w_out = math.ceil((image.shape[1] - f) / stride) + 1
    out = np.zeros((h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = image[i * stride : i * stride + f, j * stride : j * stride + f]
            out[i, j] = np.sum(window * kernel[: window.shape[0], : window.shape[1]])
    return out


def _ceil_conv_same(sol):
    """The solution for 'same', _ceil_conv otherwise: right on every slide example."""

    def fn(image, kernel, stride=1, padding="valid"):
        if padding == "same":
            return sol["conv2d_strided"](image, kernel, stride, padding)
        return _ceil_conv(image, kernel, stride, padding)

    return fn


def test_off_by_one_passes_slides_but_fails_hidden(sol):
    """Rounding the output size up passes the slides' examples and fails hidden with a pointer."""
    wrong = _ceil_conv_same(sol)
    conv.check_conv2d_strided(wrong)
    err = _raises("conv.stride_off_by_one", conv.hidden_conv2d_strided, wrong)
    assert (err.values["n"] - err.values["f"]) % err.values["s"] != 0
    assert err.values["got"] == f"da {err.values['expected'] + 1}"


def test_off_by_one_that_crashes_is_named(sol):
    """An off-by-one whose last window breaks broadcasting is reported as the same mistake."""

    def crashing(image, kernel, stride=1, padding="valid"):
        if padding == "same":
            return sol["conv2d_strided"](image, kernel, stride, padding)
        f = kernel.shape[0]
        if padding != "valid":
            image = np.pad(image, padding)
        n_out = math.ceil((image.shape[0] - f) / stride) + 1
        m_out = math.ceil((image.shape[1] - f) / stride) + 1
        return np.array(
            [
                [
                    np.sum(image[i * stride : i * stride + f, j * stride : j * stride + f] * kernel)
                    for j in range(m_out)
                ]
                for i in range(n_out)
            ]
        )

    conv.check_conv2d_strided(crashing)
    err = _raises("conv.stride_off_by_one", conv.hidden_conv2d_strided, crashing)
    assert err.values["got"].startswith(("lanza", "da"))


def test_off_by_one_in_conv2d_and_pool2d(sol):
    """The multi-channel conv and pooling with ⌈·⌉ pass the public checks and fail hidden."""

    def conv2d_ceil(x, w, b, stride=1, padding="valid"):
        if padding == "same":
            return sol["conv2d"](x, w, b, stride, padding)
        if padding != "valid":
            x = np.pad(x, ((padding, padding), (padding, padding), (0, 0)))
        # zero rows/columns at the end so that every ⌈·⌉ window is whole
        f = w.shape[0]
        extra = [(-(x.shape[a] - f)) % stride for a in (0, 1)]
        x = np.pad(x, ((0, extra[0]), (0, extra[1]), (0, 0)))
        return sol["conv2d"](x, w, b, stride, "valid")

    def pool_ceil(x, size, stride=None, mode="max", p=2):
        stride = size if stride is None else stride
        extra = [(-(x.shape[a] - size)) % stride for a in (0, 1)]
        x = np.pad(x, ((0, extra[0]), (0, extra[1]), (0, 0)), mode="edge")
        return sol["pool2d"](x, size, stride, mode, p)

    conv.check_conv2d(conv2d_ceil)
    _raises("conv.stride_off_by_one", conv.hidden_conv2d, conv2d_ceil)
    conv.check_pool2d(pool_ceil)
    _raises("conv.stride_off_by_one", conv.hidden_pool2d, pool_ceil)


def test_output_size_rounding_up_is_pointed_at():
    """output_size with ⌈·⌉ fails on the slides' N=7, F=3, S=3 with the off-by-one message."""

    def output_size(n, f, stride=1, padding="valid"):
        p = 0 if padding in ("valid", "same") else padding
        return math.ceil((n + 2 * p - f) / stride) + 1 if padding != "same" else -(-n // stride)

    err = _raises(
        "conv.stride_off_by_one", conv.check_output_size, output_size, _sol()["same_padding"]
    )
    assert (err.values["n"], err.values["f"], err.values["s"]) == (7, 3, 3)
    assert (err.values["expected"], err.values["got"]) == (2, "da 3")


def test_same_padding_on_the_wrong_side_is_named(sol):
    """Putting the odd 'same' pixel first is named (public and hidden)."""

    def same_padding(n, f, stride=1):
        before, after = sol["same_padding"](n, f, stride)
        return after, before

    err = _raises(
        "conv.same_padding_case", conv.check_output_size, sol["output_size"], same_padding
    )
    assert "final" in err.values["hint"]

    def conv2d(x, w, b, stride=1, padding="valid"):
        if padding != "same":
            return sol["conv2d"](x, w, b, stride, padding)
        pads = [same_padding(n, w.shape[0], stride) for n in x.shape[:2]]
        x = np.pad(x, (*pads, (0, 0)))
        return sol["conv2d"](x, w, b, stride, "valid")

    _raises("conv.same_pad_side", conv.check_conv2d, conv2d)


def test_flipped_kernel_is_named(sol):
    """A true convolution where a cross-correlation is expected gets the flipped-kernel message."""
    _raises("conv.flipped_kernel", conv.check_conv2d_single, sol["convolve2d"])
    _raises("conv.flipped_kernel", conv.hidden_conv2d_single, sol["convolve2d"])

    def conv2d_flipped(x, w, b, stride=1, padding="valid"):
        return sol["conv2d"](x, w[::-1, ::-1], b, stride, padding)

    # On the public volume the flipped kernel's output equals the transposed kernel's:
    # nothing proves which mistake it is, so the message stays generic there.
    _raises("conv.mismatch", conv.check_conv2d, conv2d_flipped)
    _raises("conv.flipped_kernel", conv.hidden_conv2d, conv2d_flipped)

    def conv2d_transposed(x, w, b, stride=1, padding="valid"):
        return sol["conv2d"](x, w.transpose(1, 0, 2, 3), b, stride, padding)

    assert _raises("conv.mismatch", conv.check_conv2d, conv2d_transposed)
    _raises("conv.mismatch", conv.hidden_conv2d, conv2d_transposed)

    def transpose_flipped(x, w, b, stride=1):
        return sol["conv_transpose2d"](x, w[::-1, ::-1], b, stride)

    _raises("conv.flipped_kernel", conv.check_conv_transpose2d, transpose_flipped)


def test_convolve2d_without_flip_fails(sol):
    """convolve2d that forgets to flip fails its check."""
    _raises("conv.mismatch", conv.check_convolve2d, sol["conv2d_single"])


def test_missing_bias_is_named(sol):
    """conv2d and conv_transpose2d that ignore the bias get the missing-bias message."""

    def conv2d(x, w, b, stride=1, padding="valid"):
        return sol["conv2d"](x, w, np.zeros_like(b), stride, padding)

    _raises("conv.missing_bias", conv.check_conv2d, conv2d)

    def transpose(x, w, b, stride=1):
        return sol["conv_transpose2d"](x, w, np.zeros_like(b), stride)

    _raises("conv.missing_bias", conv.hidden_conv_transpose2d, transpose)


def test_wrong_pooling_is_named(sol):
    """Max and average swapped, LP without the root, and ignoring the stride all fail."""

    def swapped(x, size, stride=None, mode="max", p=2):
        other = {"max": "avg", "avg": "max"}.get(mode, mode)
        return sol["pool2d"](x, size, stride, other, p)

    err = _raises("conv.pool_mode", conv.check_pool2d, swapped)
    assert (err.values["mode"], err.values["got"]) == ("max", "promedio")

    def no_root(x, size, stride=None, mode="max", p=2):
        out = sol["pool2d"](x, size, stride, mode, p)
        return out**p if mode == "lp" else out

    _raises("conv.lp_root", conv.check_pool2d, no_root)
    _raises("conv.lp_root", conv.hidden_pool2d, no_root)

    def ignores_stride(x, size, stride=None, mode="max", p=2):
        return sol["pool2d"](x, size, size, mode, p)

    _raises("conv.shape", conv.check_pool2d, ignores_stride)


def test_maxpool_backward_overwriting_is_named(sol):
    """Assigning instead of accumulating passes the slides' table and fails on overlapping windows."""

    def overwrite(x, dout, size, stride=None):
        stride = size if stride is None else stride
        dx = np.zeros(x.shape)
        for i in range(dout.shape[0]):
            for j in range(dout.shape[1]):
                for ch in range(x.shape[2]):
                    window = x[i * stride : i * stride + size, j * stride : j * stride + size, ch]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[i * stride + a, j * stride + b, ch] = dout[i, j, ch]
        return dx

    conv.check_maxpool_backward(overwrite)
    _raises("conv.maxpool_overlap", conv.hidden_maxpool_backward, overwrite)

    def to_every_pixel(x, dout, size, stride=None):
        return np.ones(x.shape)

    _raises("conv.mismatch", conv.check_maxpool_backward, to_every_pixel)


def test_receptive_field_without_strides_fails():
    """Adding F−1 per layer but ignoring earlier strides fails with a hint about strides."""

    def no_jump(layers):
        return 1 + sum(d * (f - 1) for f, _, d in layers)

    err = _raises("common.formula_case_hidden", conv.check_receptive_field, no_jump)
    assert "stride" in err.values["hint"]


def test_dense_to_conv_wrong_order_fails():
    """Reshaping the dense weights channel-first does not reproduce Dense."""

    def channels_first(w, b, width, depth):
        return w.reshape(depth, width, width, -1).transpose(1, 2, 0, 3), b

    _raises("conv.mismatch", conv.check_dense_to_conv, channels_first)


def test_errata_answers():
    """The errata checks name a wrong entry, a wrong window and the slide's own average."""
    window = conv.SLIDE_IMAGE[0:3, 1:4]
    conv.check_errata_conv(0, 1, window)
    err = _raises("conv.errata_entry", conv.check_errata_conv, 0, 0, window)
    assert err.values["value"] == -2
    _raises("conv.errata_entry_range", conv.check_errata_conv, 3, 1, window)
    _raises("conv.errata_window", conv.check_errata_conv, 0, 1, conv.SLIDE_IMAGE[0:3, 0:3])
    _raises("conv.errata_average", conv.check_errata_pool, conv.ERRATA_POOL_SLIDE_AVG)
    _raises("common.not_implemented", conv.check_errata_conv, None, None, None)
    _raises("common.not_implemented", conv.check_errata_pool, None)


def test_errata_checks_do_not_give_the_answer_away(capsys):
    """A wrong errata answer is never shown the right one, neither printed nor in the message."""
    with pytest.raises(CheckError) as entry:
        conv.check_errata_conv(1, 1, conv.SLIDE_IMAGE[1:4, 1:4])
    with pytest.raises(CheckError) as average:
        conv.check_errata_pool(np.array([[5, 7], [6, 5]]))
    shown = capsys.readouterr().out + str(entry.value) + str(average.value)
    assert "(0, 1)" not in shown
    assert "3.5" not in shown


def test_kernel_properties():
    """Kernels without their defining property are rejected; unset kernels say so."""
    blur, sharpen = np.ones((3, 3)) / 9, np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    err = _raises("conv.kernel_property", conv.check_kernels, np.ones((3, 3)), blur, sharpen)
    assert err.values["name"] == "edge_kernel"
    _raises(
        "conv.kernel_property",
        conv.check_kernels,
        np.eye(3) - np.eye(3)[::-1],
        np.ones((3, 3)),
        sharpen,
    )
    _raises("common.not_implemented", conv.check_kernels, None, None, None)


STUB_CALLS = [
    (conv.check_conv2d_single, 1),
    (conv.hidden_conv2d_single, 1),
    (conv.check_convolve2d, 1),
    (conv.check_output_size, 2),
    (conv.check_pad_image, 1),
    (conv.check_conv2d_strided, 1),
    (conv.hidden_conv2d_strided, 1),
    (conv.check_conv2d, 1),
    (conv.hidden_conv2d, 1),
    (conv.check_conv_params, 1),
    (conv.check_dilate_kernel, 1),
    (conv.hidden_dilate_kernel, 1),
    (conv.check_relu, 1),
    (conv.check_pool2d, 1),
    (conv.hidden_pool2d, 1),
    (conv.check_maxpool_backward, 1),
    (conv.check_conv_transpose2d, 1),
    (conv.check_receptive_field, 1),
    (conv.hidden_receptive_field, 1),
    (conv.check_dense_to_conv, 1),
    (conv.check_locally_connected_params, 1),
]


@pytest.mark.parametrize(("check", "arity"), STUB_CALLS, ids=[c.__name__ for c, _ in STUB_CALLS])
def test_release_stub_gets_not_implemented(check, arity):
    """The student version's `raise NotImplementedError()` gives the Spanish «aún no» message."""

    def stub(*args, **kwargs):
        raise NotImplementedError()

    _raises("common.not_implemented", check, *[stub] * arity)


def test_missing_return_is_named():
    """A function that returns nothing is told it lacks a `return`."""
    _raises("conv.returned_none", conv.check_conv2d, lambda *a: None)
    _raises("conv.returned_none", conv.hidden_pool2d, lambda *a: None)


def test_other_crashes_name_the_case():
    """An unexpected exception on a case whose stride divides names the case and the error."""

    def broken(image, kernel):
        raise IndexError("index 5 is out of bounds")

    err = _raises("conv.crash", conv.check_conv2d_single, broken)
    assert "IndexError" in err.values["error"]
