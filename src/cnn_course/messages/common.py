"""Messages shared by every session's checks (keys ``common.*``).

``{call}`` is the call or object that failed, written so the student can repeat it,
e.g. «build_vgg16(input_shape=(32, 32, 3), num_classes=10)» or «model».
"""

TEMPLATES = {
    "common.not_implemented": "Aún no has completado «{name}»: sustituye el `raise NotImplementedError()`.",
    "common.not_callable": "«{name}» debe ser una función (obtenido: {got}).",
    "common.crash": "«{call}» lanza un error: {error}",
    "common.not_integer": "«{call}» debe devolver un número entero (devuelve {got}).",
    "common.wrong_type": "«{name}» debe ser de tipo {expected} (obtenido: {got}).",
    "common.value": "«{name}» debe valer {expected} (obtenido: {got}).",
    "common.formula_case": (
        "{call} debe devolver {expected}, como calcula Keras (obtenido: {got}).{hint}"
    ),
    "common.formula_case_hidden": "«{call}» devuelve {got:,}, que no es correcto.{hint}",
    "common.close": (
        "«{name}» no coincide con la referencia: error relativo {error:.2e} "
        "(se admite hasta {tol:.0e}).{hint}"
    ),
    "common.shape": "«{name}» debe tener forma {expected} (obtenida {got}).",
    "common.dtype": "«{name}» debe tener tipo {expected} (obtenido {got}).",
    "common.range": "Los valores de «{name}» deben estar en [{low}, {high}] (encontrado [{min}, {max}]).",
    "common.not_a_model": "«{name}» debe ser un modelo de Keras (obtenido: {got}).",
    "common.not_built": (
        "«{call}» no tiene entrada definida: empieza el modelo con keras.Input(shape=...) "
        "para que Keras conozca las formas."
    ),
    "common.output_count": "«{call}» debe devolver un modelo con una sola salida (tiene {got}).",
    "common.layer_count": (
        "«{call}» debe tener {expected} capas ({expected_layers}) (tiene {got}: {layers})."
    ),
    "common.layer_type": "En «{call}», la capa n.º {index} debe ser {expected} (es {got}).",
    "common.layer_attr": (
        "En «{call}», la capa n.º {index} ({layer}) debe tener {attr} = {expected!r} (tiene {got!r})."
    ),
    "common.layer_shape": (
        "En «{call}», la salida de la capa n.º {index} ({layer}) no tiene la forma esperada "
        "(obtenida {got}).{hint}"
    ),
    "common.input_shape": (
        "«{call}» debe recibir entradas de forma {expected} (recibe {got}): revisa "
        "keras.Input(shape=...)."
    ),
    "common.architecture": (
        "En «{call}», la operación n.º {index} debe ser {expected} (es {got}). Las operaciones "
        "se cuentan desde la entrada, cada rama de un Add entera antes de la siguiente; las "
        "activaciones cuentan como operaciones, dentro o fuera de su capa."
    ),
    "common.architecture_inputs": (
        "En «{call}», la operación n.º {index} ({got}) recibe sus entradas de otras operaciones "
        "que en la arquitectura descrita: revisa a qué tensor aplicas cada capa."
    ),
    "common.architecture_length": (
        "«{call}» tiene {got} operaciones y la arquitectura descrita {expected}: {detail}"
    ),
    "common.kind_count": "«{call}» debe tener {expected} capas {kind} (tiene {got}).",
    "common.param_count": "«{call}» debe tener {expected:,} parámetros (tiene {got:,}).",
    "common.param_count_hidden": (
        "«{call}» tiene {got:,} parámetros, que no son los de la arquitectura descrita. Revisa "
        "el número de filtros o neuronas de cada capa y qué capas llevan sesgo (use_bias)."
    ),
    "common.accuracy": (
        "La exactitud en el conjunto de test es {got:.4f}; el perfil «{profile}» exige al menos "
        "{threshold:.4f}. Revisa el preprocesado y entrena las épocas del presupuesto."
    ),
    "common.compiled_loss": "El modelo debe compilarse con la pérdida {expected} (tiene {got}).",
    "common.activation": "La última capa de «{call}» debe usar la activación {expected} (usa {got}).",
    "common.output_shape": "La salida de «{call}» debe tener forma {expected} (obtenida {got}).",
}
