"""Messages of the «Convolución desde cero» checks (keys ``conv.*``).

``{case}`` is always a short description of the input that failed, e.g.
«entrada (7, 7, 2), kernel 3×3, 3 filtros, stride 3, padding='valid'», so that the
student can reproduce it.
"""

TEMPLATES: dict[str, str] = {
    # Calling the student's function
    "conv.returned_none": "«{name}» no devuelve nada con {case}: ¿te falta el `return`?",
    "conv.crash": "«{name}» lanza un error con {case}: {error}.",
    # Shapes and values against Keras
    "conv.shape": "La salida de «{name}» con {case} debe tener forma {expected} (obtenida {got}).{hint}",
    "conv.stride_off_by_one": (
        "Con {case} (en este eje N={n}, F={f}, S={s}) la división no es exacta: {why}, así que "
        "la salida mide {expected} ({rule}); tu función {got}.{advice}"
    ),
    "conv.mismatch": (
        "La salida de «{name}» con {case} no coincide con {reference}: error relativo "
        "{error:.2e} (se admite hasta {tol:.0e}).{hint}"
    ),
    "conv.flipped_kernel": (
        "La salida de «{name}» con {case} coincide con la convolución matemática (kernel "
        "volteado), no con {reference}: las capas convolucionales calculan la correlación "
        "cruzada, sin voltear el kernel."
    ),
    "conv.missing_bias": (
        "La salida de «{name}» con {case} coincide con {reference} salvo el sesgo: suma b[k] "
        "a cada posición del mapa de activación k."
    ),
    "conv.same_pad_side": (
        "Con {case} el relleno total es impar y tu función pone el píxel sobrante arriba/a la "
        "izquierda; Keras (padding='same') lo pone abajo/a la derecha: {expected} (tú: {got})."
    ),
    "conv.same_padding_case": "«{call}» devuelve {got}, que no es correcto.{hint}",
    "conv.pool_mode": ("Con {case}, «{name}» calcula el {got} de cada ventana, no el {expected}."),
    "conv.lp_root": (
        "Con {case}, «{name}» (mode='lp') devuelve Σ x^p sin la raíz: f(X) = (Σ x^p)^(1/p)."
    ),
    "conv.maxpool_overlap": (
        "Con {case} las ventanas se solapan y una misma posición puede ser el máximo de varias: "
        "acumula los gradientes (+=) en lugar de sobrescribirlos. La suma de dx debe ser "
        "{expected:.4f}, la suma de dout (obtenida {got:.4f})."
    ),
    "conv.kernel_property": "El kernel «{name}» debe cumplir: {rule} (obtenido {got}).",
    # Errata tasks
    "conv.errata_entry": (
        "La entrada ({got_row}, {got_col}) de la diapositiva es correcta (vale {value} en los dos "
        "mapas); busca la que difiere de tu mapa de activación."
    ),
    "conv.errata_entry_range": (
        "(fila, columna) = {got} no es una posición del mapa 3×3: los índices van de 0 a {last}."
    ),
    "conv.errata_window": (
        "«errata_window» debe ser la ventana 3×3 de `slide_image` cuyo producto por el kernel "
        "da la entrada ({row}, {col}); la entrada (i, j) usa las filas i…i+F−1 y las columnas "
        "j…j+F−1 (obtenida {got})."
    ),
    "conv.errata_average": (
        "«errata_average» debe ser el promedio de cada ventana 2×2 (obtenido {got}).{hint}"
    ),
}
