"""Messages shared by every session's checks."""

TEMPLATES = {
    "common.not_implemented": "Aún no has completado «{name}»: sustituye el `raise NotImplementedError()`.",
    "common.not_callable": "«{name}» debe ser una función (obtenido: {got}).",
    "common.wrong_type": "«{name}» debe ser de tipo {expected} (obtenido: {got}).",
    "common.value": "«{name}» debe valer {expected} (obtenido: {got}).",
    "common.formula_case": (
        "{name}({args}) debe devolver {expected}, como calcula Keras (obtenido: {got}).{hint}"
    ),
    "common.close": (
        "«{name}» no coincide con la referencia: error relativo {error:.2e} "
        "(se admite hasta {tol:.0e}).{hint}"
    ),
    "common.shape": "«{name}» debe tener forma {expected} (obtenida {got}).",
    "common.dtype": "«{name}» debe tener tipo {expected} (obtenido {got}).",
    "common.range": "Los valores de «{name}» deben estar en [{low}, {high}] (encontrado [{min}, {max}]).",
    "common.not_a_model": "«{name}» debe ser un modelo de Keras (obtenido: {got}).",
    "common.not_built": (
        "El modelo no tiene entrada definida: empieza el Sequential con keras.Input(shape=...)."
    ),
    "common.layer_count": "El modelo debe tener {expected} capas (tiene {got}: {layers}).",
    "common.layer_type": "La capa {index} debe ser {expected} (es {got}).",
    "common.layer_attr": "La capa {index} ({layer}) debe tener {attr} = {expected} (tiene {got}).",
    "common.layer_shape": "La salida de la capa {index} ({layer}) debe tener forma {expected} (obtenida {got}).",
    "common.param_count": "El modelo debe tener {expected:,} parámetros (tiene {got:,}).",
    "common.accuracy": (
        "La exactitud en el conjunto de test es {got:.4f}; el perfil «{profile}» exige al menos "
        "{threshold:.4f}. Revisa el preprocesado y entrena las épocas del presupuesto."
    ),
    "common.compiled_loss": "El modelo debe compilarse con la pérdida {expected} (tiene {got}).",
    "common.activation": "La última capa debe usar la activación {expected} (usa {got}).",
    "common.output_shape": "La salida del modelo debe tener forma {expected} (obtenida {got}).",
}
