"""Messages of the natural-scenes challenge checks (Spanish; each rule names itself)."""

TEMPLATES: dict[str, str] = {
    "escenas.rule_layer": (
        "Regla 1 (una CNN propia, {points}): la capa «{layer}» es de tipo {kind}, que no "
        "está permitido. Usa capas de estas familias: {allowed}."
    ),
    "escenas.rule_no_conv": (
        "Regla 1 (una CNN propia, {points}): el modelo no tiene ninguna convolución "
        "(Conv2D, SeparableConv2D o DepthwiseConv2D); una red solo de capas densas no es una CNN."
    ),
    "escenas.rule_pretrained": (
        "Regla 2 (sin pesos preentrenados, {points}): {what} Entrena tu propia red desde "
        "pesos aleatorios; el aprendizaje por transferencia es la sección opcional, fuera del desafío."
    ),
    "escenas.rule_params": (
        "Regla 3 (como mucho {cap:,} parámetros, {points}): el modelo tiene {got:,} "
        "parámetros. Reduce filtros o neuronas, o usa GlobalAveragePooling2D en lugar de Flatten."
    ),
    "escenas.rule_input": (
        "Regla 4 (entrada de imágenes en color de {low} a {high} píxeles por lado, {points}): la entrada del modelo es {got}; debe ser (alto, ancho, 3) con lados fijos entre "
        "{low} y {high} (150 × 150 × 3, o un tamaño menor que declares con image_size)."
    ),
    "escenas.rules_summary": "Reglas incumplidas ({lost} de {total} puntos perdidos): {details}",
    "escenas.accuracy_rules": (
        "La exactitud no puntúa: el modelo incumple {rules}, y un modelo fuera de las reglas no "
        "compite en el desafío."
    ),
    "escenas.output": (
        "La salida del modelo debe ser (None, {classes}), una probabilidad por clase de escena "
        "(es {got})."
    ),
    "escenas.accuracy_band": (
        "Exactitud medida por el corrector en las imágenes del profesor: {got:.4f}; alcanza "
        "{reached} de {bands} bandas del perfil «{profile}» (bandas: {limits})."
    ),
    "escenas.accuracy_none": (
        "La exactitud medida es {got:.4f}, por debajo de la primera banda del perfil «{profile}» "
        "({first:.4f}). Revisa el preprocesado (el modelo recibe píxeles de 0 a 255) y entrena "
        "las épocas del presupuesto."
    ),
    "escenas.duplicates": (
        "«find_duplicates» no encuentra los grupos de archivos idénticos: esperados {expected} "
        "grupos de 2 o más archivos, obtenidos {got}.{hint}"
    ),
    "escenas.duplicates_format": (
        "«find_duplicates» debe devolver una lista de grupos, cada uno una lista de rutas "
        "(obtenido: {got})."
    ),
    "escenas.gradcam_range": (
        "El mapa de «gradcam» debe estar normalizado entre 0 y 1 (encontrado [{low:.3g}, {high:.3g}])."
    ),
    "escenas.heldout_missing": (
        "No se encuentra el conjunto etiquetado del profesor ({where}): {reason}"
    ),
}
