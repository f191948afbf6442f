"""Messages of the MNIST checks."""

TEMPLATES: dict[str, str] = {
    "mnist.shape_by_hand": (
        "La salida de la capa {index} ({layer}) no es {got}: aplica ⌊(N + 2P − F)/S⌋ + 1 "
        "a la salida de la capa anterior (Flatten multiplica alto·ancho·canales; Dropout no cambia la forma)."
    ),
    "mnist.total_by_hand": (
        "«{name}» = {got:,} no es el número de parámetros del modelo: suma (F·F·M + 1)·K de cada Conv2D "
        "y (n + 1)·u de cada Dense; pooling, Flatten y Dropout no tienen parámetros."
    ),
}
