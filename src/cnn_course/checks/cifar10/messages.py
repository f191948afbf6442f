"""Messages of the CIFAR-10 checks. None of them gives away a value the student must compute:
they say what the student's value is and where to look."""

TEMPLATES: dict[str, str] = {
    "cifar10.shape_by_hand": (
        "«{name}»: la salida de la capa {index} ({layer}) no es {got}. Aplica "
        "⌊(N + 2P − F)/S⌋ + 1 a la salida de la capa anterior (con padding='same' y S = 1 el "
        "tamaño no cambia; un pooling 2×2 lo divide por 2 hacia abajo; Flatten multiplica "
        "alto·ancho·canales)."
    ),
    "cifar10.shape_count": (
        "«{name}» tiene {got} formas; debe tener una por capa de la tabla ({expected})."
    ),
    "cifar10.total_by_hand": (
        "«{name}» = {got:,} no es el número de parámetros de la red: suma (F·F·M + 1)·K de cada "
        "Conv2D y (n + 1)·u de cada Dense; el pooling y Flatten no tienen parámetros."
    ),
    "cifar10.stats_shape": (
        "«{name}» debe dar un valor por canal de color, forma (3,) (obtenida {got}): calcula sobre "
        "todos los ejes salvo el último (imágenes, alto y ancho)."
    ),
    "cifar10.counts": (
        "class_counts(y, {num_classes}) devuelve {got}, que no son las imágenes por clase. "
        "Incluye las clases sin ninguna imagen (con 0) y devuelve un entero por clase."
    ),
    "cifar10.deck_parses": (
        "«deck_code_comma» aún no es Python válido: {error}. Busca dónde falta una coma."
    ),
    "cifar10.deck_changed": (
        "«deck_code_comma» debe ser el código de la diapositiva con la coma que falta y nada "
        "más (sin añadir ni quitar capas): el objetivo es ver qué construye la diapositiva tal cual."
    ),
    "cifar10.deck_crash": "El código de «deck_code_comma» no se ejecuta: {error}",
    "cifar10.batch_axis": (
        "«{name}» = {got} debe incluir el eje del lote como primer elemento, None, igual que "
        "model.output_shape."
    ),
    "cifar10.errata_wrong_shape": (
        "«wrong_shape» = {got} no es la salida del modelo de la diapositiva con la coma añadida. "
        "Sigue las formas capa a capa desde (None, 28, 28, 3): ¿qué hace Dense con una entrada "
        "de 4 ejes? (Actúa solo sobre el último.)"
    ),
    "cifar10.errata_right_shape": (
        "«right_shape» = {got} no es la salida que necesita un clasificador de 2 clases: una "
        "probabilidad por clase y por imagen."
    ),
    "cifar10.bn_missing": (
        "En «{call}», cada Conv2D debe ir seguida de una BatchNormalization (puede haber una "
        "capa Activation entre ambas): la Conv2D n.º {index} no la tiene."
    ),
    "cifar10.bn_count": (
        "«{call}» tiene {got} capas BatchNormalization; debe tener una tras cada una de las "
        "{expected} Conv2D."
    ),
    "cifar10.bn_axis": (
        "En «{call}», BatchNormalization debe normalizar cada canal (axis=-1); tiene axis={got}."
    ),
    "cifar10.main_layers": (
        "«{call}» debe conservar las capas de la red base (Conv2D, pooling, Flatten y Dense, con "
        "los mismos filtros y neuronas); en su lugar tiene: {got}."
    ),
    "cifar10.dropout_missing": (
        "«{call}» debe tener al menos una capa Dropout con 0 < rate < 1 (tiene {got})."
    ),
    "cifar10.dropout_train_same": (
        "dropout_demo: las dos salidas con training=True son idénticas. En entrenamiento, "
        "Dropout apaga neuronas distintas en cada llamada: llama a model(x, training=True) dos veces."
    ),
    "cifar10.dropout_infer_differs": (
        "dropout_demo: las dos salidas con training=False difieren (error máximo {error:.2e}). En "
        "inferencia Dropout no apaga nada: llama a model(x, training=False)."
    ),
    "cifar10.dropout_infer_wrong": (
        "dropout_demo: la salida con training=False no es la predicción del modelo (error máximo "
        "{error:.2e}): devuelve model(x, training=False) sin cambiarla."
    ),
    "cifar10.dropout_result": (
        "dropout_demo debe devolver 4 arrays de forma {expected}: (entrenamiento 1, "
        "entrenamiento 2, inferencia 1, inferencia 2) (obtenido: {got})."
    ),
    "cifar10.dropout_scale": (
        "dropout_scale({rate}) devuelve {got}, que no es el factor por el que Keras multiplica "
        "las neuronas que sobreviven. Pista: la suma esperada de la capa no debe cambiar al "
        "apagar una fracción «rate» de ellas."
    ),
    "cifar10.aug_none": (
        "«{call}» no tiene ninguna capa de aumento de datos (RandomFlip, RandomTranslation, "
        "RandomZoom…)."
    ),
    "cifar10.aug_vertical": (
        "«{call}» voltea las imágenes en vertical (RandomFlip(mode='{mode}')): en CIFAR-10 no hay "
        "barcos ni camiones boca abajo. Usa RandomFlip('horizontal')."
    ),
    "cifar10.aug_shape": (
        "«{call}» cambia la forma de las imágenes: {expected} → {got}. El aumento debe devolver "
        "imágenes del mismo tamaño."
    ),
    "cifar10.aug_inference": (
        "«{call}» cambia las imágenes con training=False (error máximo {error:.2e}): en inferencia "
        "el aumento no debe hacer nada. (Un recorte aleatorio tras un relleno se reescala en "
        "inferencia: usa RandomTranslation, que equivale a rellenar y recortar al azar.)"
    ),
    "cifar10.aug_static": (
        "«{call}» con training=True devuelve {what}: el aumento debe producir copias distintas "
        "en cada llamada."
    ),
    "cifar10.aug_first": (
        "En «{call}», el aumento de datos debe ir al principio, antes de la primera Conv2D "
        "(la capa n.º {index}, {layer}, va antes que él)."
    ),
    "cifar10.dataset_type": "make_dataset debe devolver un tf.data.Dataset (devuelve {got}).",
    "cifar10.dataset_spec": (
        "make_dataset: cada elemento debe ser un par (imágenes, etiquetas) de lotes con forma "
        "{expected} (obtenido {got})."
    ),
    "cifar10.dataset_batches": (
        "make_dataset(..., batch_size={batch_size}): los lotes tienen {got} elementos; deben "
        "tener batch_size (el último puede ser menor)."
    ),
    "cifar10.dataset_examples": (
        "make_dataset: una pasada por el conjunto no da cada ejemplo exactamente una vez con su "
        "etiqueta ({detail})."
    ),
    "cifar10.dataset_order": ("make_dataset(..., training={training}): {detail}"),
    "cifar10.dataset_cache_after_shuffle": (
        "make_dataset(..., training=True): las dos épocas salen en el mismo orden. Si cache() va "
        "después de shuffle(), guarda el orden de la primera época y lo repite: pon cache() antes."
    ),
    "cifar10.dataset_ops": (
        "make_dataset(..., training={training}) no usa {missing}: el flujo debe tener "
        "cache(), {shuffle}batch() y prefetch()."
    ),
    "cifar10.lr_case": (
        "cosine_lr({step}, {total}, {lr0}) devuelve {got}, que no coincide con CosineDecay de "
        "Keras.{hint}"
    ),
}
