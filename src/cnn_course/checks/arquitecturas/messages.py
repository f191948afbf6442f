"""Messages particular to «Arquitecturas clásicas» (keys ``arch.*``).

``{call}`` is always the call that failed, written so that the student can repeat it,
e.g. «build_resnet18(input_shape=(32, 32, 3), num_classes=10)». Counts and formula results
the student must produce are not stated (only the student's value and a hint). Calls,
shapes, layer structure and counts shared with other sessions use ``common.*``
(:mod:`cnn_course.messages.common`).
"""

TEMPLATES: dict[str, str] = {
    # Layer counts
    "arch.kernel_count": "«{call}» debe tener {expected} capas Conv2D de {kernel} (tiene {got}).",
    # ResNet
    "arch.shortcut_projection": (
        "En «{call}» la entrada ({c_in} canales) y la salida ({filters} canales, stride {stride}) "
        "no tienen la misma forma, así que el atajo debe ser una proyección: Conv2D 1×1 con "
        "strides={stride} y BatchNormalization (hay {got} Conv2D 1×1){detail}."
    ),
    "arch.shortcut_identity": (
        "En «{call}» la entrada y la salida tienen la misma forma ({c_in} → {filters} canales, "
        "stride 1): el atajo debe ser la identidad, sin Conv2D 1×1 (hay {got})."
    ),
    "arch.block_relu": (
        "La salida de «{call}» tiene valores negativos (mínimo {got:.3f}): aplica ReLU después "
        "de sumar el atajo."
    ),
    "arch.block_shape": (
        "En «{call}», el bloque residual n.º {index} debe dar forma {expected} (obtenida {got}). "
        "El primer bloque de las etapas 2, 3 y 4 usa stride 2."
    ),
    # Gradients
    "arch.gradient_type": "«conv_gradient_norms» debe devolver una lista o un array de números (devuelve {got}).",
    "arch.gradient_count": (
        "«conv_gradient_norms» debe devolver una norma por cada Conv2D de la {call} "
        "({expected}) (devuelve {got})."
    ),
    "arch.gradient_mismatch": (
        "Las normas de «conv_gradient_norms» para la {call} no coinciden con las nuestras: error "
        "relativo {error:.2e} (se admite hasta {tol:.0e}). Usa la media de la entropía cruzada "
        "del lote y la norma L2 del gradiente de cada kernel."
    ),
    "arch.gradient_ratio": (
        "Con profundidad {depth}, la norma del gradiente en la primera capa con atajos debe ser al "
        "menos {expected:,.0f} veces la de la pila plana (es {got:,.1f} veces): comprueba que la "
        "versión residual suma la entrada de cada bloque a su salida."
    ),
    # U-Net
    "arch.skip_shape": (
        "En «{call}», la concatenación n.º {index} debe dar forma {expected} (obtenida {got}): "
        "une la salida de Conv2DTranspose con el mapa del codificador del mismo tamaño."
    ),
    "arch.bn_momentum": (
        "Las BatchNormalization de «{call}» deben usar momentum={expected} (usan {got}): con el "
        "valor por defecto (0.99) y tan pocos pasos de entrenamiento, las medias móviles no "
        "alcanzan a las del lote y la red predice mal en modo inferencia."
    ),
    "arch.iou": (
        "La IoU de la máscara en el conjunto de test es {got:.4f}; el perfil «{profile}» exige al "
        "menos {threshold:.4f}. Revisa la pérdida (binary_crossentropy), la activación sigmoid "
        "y entrena las épocas del presupuesto."
    ),
    # Multiply-adds
    "arch.macs": (
        "«model_macs» da {got:,} multiplicaciones-suma para {model}, que no es correcto. "
        "Cuenta Conv2D (con el tamaño de su salida), Conv2DTranspose (con el de su entrada) y "
        "Dense; el resto de capas no suma."
    ),
}
