"""Public check of ZF Net's parameter count (Zeiler and Fergus, 2013), not graded.

The notebook builds ZF Net as in figure 3 of the paper (AlexNet with a 7×7, stride-2
first convolution and a stride-2 second one) and counts its parameters by hand with the
student's ``conv_params`` and ``dense_params``; both must give :data:`ZFNET_PARAMS`.
"""

from __future__ import annotations

from cnn_course.checks import toolkit
from cnn_course.fmt import number

# conv1 7·7·3·96 + 96, conv2 5·5·96·256 + 256, conv3 3·3·256·384 + 384,
# conv4 3·3·384·384 + 384, conv5 3·3·384·256 + 256, then AlexNet's three dense layers
# on the same 6×6×256 = 9216 inputs.
ZFNET_PARAMS = (
    (7 * 7 * 3 * 96 + 96)
    + (5 * 5 * 96 * 256 + 256)
    + (3 * 3 * 256 * 384 + 384)
    + (3 * 3 * 384 * 384 + 384)
    + (3 * 3 * 384 * 256 + 256)
    + (9216 * 4096 + 4096)
    + (4096 * 4096 + 4096)
    + (4096 * 1000 + 1000)
)
FLATTEN = 6 * 6 * 256


def check_zfnet(model, by_hand: int) -> None:
    """The Keras model has ZF Net's count and 6×6×256 maps before the dense layers, and
    the count by hand agrees with it."""
    toolkit.expect_built("zfnet", model)
    flatten = [ly for ly in model.layers if type(ly).__name__ == "Flatten"]
    got_flat = int(flatten[0].output.shape[-1]) if flatten else None
    if got_flat != FLATTEN:
        toolkit.fail(
            "common.value", name="la salida del Flatten de zfnet", expected=FLATTEN, got=got_flat
        )
    if model.count_params() != ZFNET_PARAMS:
        toolkit.fail(
            "common.param_count", call="zfnet", expected=ZFNET_PARAMS, got=model.count_params()
        )
    if by_hand != ZFNET_PARAMS:
        toolkit.fail(
            "common.value", name="la cuenta a mano de ZF Net", expected=ZFNET_PARAMS, got=by_hand
        )
    print(f"ZF Net: {number(ZFNET_PARAMS)} parámetros, a mano y según Keras")
