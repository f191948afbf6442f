"""Messages of the teacher's grader (`cnn-course grade`): report, feedback and grade table.

``grade.<kind>`` is the full sentence of one finding (teacher's report and student
feedback); ``grade.label.<kind>`` its short form in the ``problemas`` column of
``grades.csv``. Every finding template receives ``cell`` (a grade id or a cell
position) besides its own values.
"""

TEMPLATES: dict[str, str] = {
    # ------------------------------------------------------------ findings
    "grade.not_a_notebook": (
        "El archivo no es un cuaderno de Jupyter válido ({error}); no se ha podido corregir."
    ),
    "grade.invalid_nbformat": (
        "El cuaderno no cumple el formato nbformat {version} ({error}); "
        "se ha normalizado y corregido igualmente."
    ),
    "grade.wrong_assignment": (
        "El cuaderno no es de la tarea {expected} (celdas de corrección encontradas: {found}{other}); "
        "no se ha corregido."
    ),
    "grade.colab_metadata": (
        "Guardado desde Colab: se han quitado los metadatos propios de Colab de {count} celdas "
        "(y del cuaderno)."
    ),
    "grade.metadata_reattached": (
        "La celda {position} había perdido sus metadatos de nbgrader; se han restaurado los de "
        "«{cell}» porque {how}."
    ),
    "grade.duplicated_cell": (
        "La celda «{cell}» aparece {count} veces (posiciones {positions}{differ}); nbgrader solo "
        "conserva la última como respuesta: revisa a mano que no se pierda nada."
    ),
    "grade.deleted_cell": (
        "La celda de corrección «{cell}» se había borrado; se ha restaurado desde la versión publicada."
    ),
    "grade.missing_answer": (
        "No se encuentra la celda de respuesta «{cell}» (borrada o sin metadatos reconocibles); "
        "lo que haya escrito el estudiante en otras celdas se ejecuta igualmente."
    ),
    "grade.unidentified_cell": (
        "La celda {position} parece de nbgrader pero no se puede identificar con certeza; "
        "se deja como está."
    ),
    "grade.edited_test_cell": (
        "La celda de test «{cell}» se había modificado (checksum {got}, esperado {expected}); "
        "nbgrader la sustituye por la original al corregir."
    ),
    "grade.lock_flags": (
        "{count} celdas bloqueadas habían perdido sus marcas de solo lectura "
        "(deletable/editable); se han restablecido."
    ),
    "grade.reordered": (
        "La celda «{cell}» está fuera del orden publicado (después de «{after}»); "
        "se corrige en el orden del estudiante."
    ),
    "grade.suspicious_code": (
        "Código sospechoso en la celda {position}: {reason} («{line}»). "
        "La nota la deciden los tests ocultos."
    ),
    "grade.timeout": ("La celda «{cell}» superó el tiempo máximo de {timeout} s y se interrumpió."),
    "grade.memory": "La celda «{cell}» agotó la memoria permitida ({limit} MB).",
    "grade.crash": (
        "La corrección no terminó ({reason}); las celdas no evaluadas cuentan 0 puntos."
    ),
    "grade.guard_timeout": (
        "La corrección superó el límite total de {seconds} s para un cuaderno y se detuvo; "
        "cuenta 0 puntos."
    ),
    "grade.no_submission": "No hay entrega de este estudiante.",
    "grade.extra_submission": (
        "Hay varias entregas de este estudiante ({files}); se corrige la última: {chosen}."
    ),
    "grade.unknown_student": (
        "El archivo {file} no corresponde a ningún estudiante de la lista; se corrige como «{cell}»."
    ),
    "grade.output_cut": (
        "La salida de la celda «{cell}» era demasiado grande ({size:,} bytes) y se ha recortado "
        "a {kept:,} bytes en el cuaderno corregido y en la devolución."
    ),
    "grade.kernel_died": (
        "El kernel murió al ejecutar la celda «{cell}»: esa celda cuenta 0 puntos; las siguientes "
        "se han ejecutado en un kernel nuevo, tras repetir las celdas anteriores que no son tests."
    ),
    "grade.kernel_hung": (
        "La celda «{cell}» superó el tiempo máximo de {timeout} s y no respondió a la "
        "interrupción: se detuvo el kernel y la celda cuenta 0 puntos; las siguientes se han "
        "ejecutado en un kernel nuevo, tras repetir las celdas anteriores que no son tests."
    ),
    "grade.not_run": (
        "El kernel se perdió demasiadas veces: desde la celda «{cell}» no se ha ejecutado nada "
        "más y esas celdas cuentan 0 puntos."
    ),
    "grade.metadata_repaired": (
        "Los metadatos de nbgrader de la celda «{cell}» estaban dañados ({keys}); se han "
        "restaurado los de la versión publicada."
    ),
    "grade.cell_type_changed": (
        "La celda «{cell}» se había cambiado de {expected} a {got}; se ha devuelto a su tipo "
        "publicado."
    ),
    "grade.metadata_dropped": (
        "La celda {position} llevaba marcas de nbgrader que no corresponden a ninguna celda "
        "publicada ({why}); se le han quitado: se ejecuta como una celda más y no suma puntos."
    ),
    "grade.output_budget": (
        "Las salidas del cuaderno superaron en conjunto el límite de {limit:,} bytes a partir "
        "de la celda «{cell}»: desde ahí cada celda muestra solo sus últimas líneas y sus errores."
    ),
    # ------------------------------------------------------------ short labels (grades.csv)
    "grade.label.not_a_notebook": "no es un cuaderno",
    "grade.label.invalid_nbformat": "formato reparado",
    "grade.label.wrong_assignment": "otra tarea",
    "grade.label.colab_metadata": "guardado en Colab",
    "grade.label.metadata_reattached": "metadatos restaurados ({cell})",
    "grade.label.duplicated_cell": "celda duplicada ({cell})",
    "grade.label.deleted_cell": "celda borrada ({cell})",
    "grade.label.missing_answer": "respuesta no encontrada ({cell})",
    "grade.label.unidentified_cell": "celda no identificada ({cell})",
    "grade.label.edited_test_cell": "test editado ({cell})",
    "grade.label.lock_flags": "bloqueos perdidos",
    "grade.label.reordered": "celdas reordenadas ({cell})",
    "grade.label.suspicious_code": "código sospechoso ({cell})",
    "grade.label.timeout": "tiempo agotado ({cell})",
    "grade.label.memory": "memoria agotada ({cell})",
    "grade.label.crash": "fallo de ejecución",
    "grade.label.guard_timeout": "límite total de tiempo",
    "grade.label.no_submission": "sin entrega",
    "grade.label.extra_submission": "varias entregas",
    "grade.label.unknown_student": "estudiante desconocido",
    "grade.label.output_cut": "salida recortada ({cell})",
    "grade.label.output_budget": "límite de salida del cuaderno (desde {cell})",
    "grade.label.kernel_died": "kernel caído ({cell})",
    "grade.label.kernel_hung": "kernel bloqueado ({cell})",
    "grade.label.not_run": "sin ejecutar desde {cell}",
    "grade.label.metadata_repaired": "metadatos reparados ({cell})",
    "grade.label.cell_type_changed": "tipo de celda cambiado ({cell})",
    "grade.label.metadata_dropped": "marcas de nbgrader quitadas ({cell})",
    # ------------------------------------------------------------ reasons and fragments
    "grade.how.source": "su código coincide exactamente con la versión publicada",
    "grade.how.id": "conserva el identificador de celda de la versión publicada",
    "grade.how.marker": "contiene, sin cambios, las líneas fijas de esa celda ({marker})",
    "grade.reason.assign_checks": "modifica el módulo de comprobaciones",
    "grade.reason.setattr_checks": "usa setattr sobre el módulo de comprobaciones",
    "grade.reason.importlib": "usa importlib",
    "grade.reason.sys_modules": "manipula sys.modules",
    "grade.reason.fake_metric": "asigna a mano una variable de exactitud",
    "grade.differ": ", con contenido distinto",
    "grade.other_assignment": "; parece de la tarea {assignment}",
    "grade.crash.kernel": "el kernel murió",
    "grade.cell_type.code": "código",
    "grade.cell_type.markdown": "texto (markdown)",
    "grade.cell_type.raw": "texto sin formato (raw)",
    "grade.why.unknown_id": "el identificador «{gid}» no existe en la tarea",
    "grade.why.no_id": "sin identificador de celda",
    "grade.why.duplicate": "el identificador «{gid}» ya lo lleva otra celda",
    "grade.why.invalid": "metadatos no válidos: {error}",
    "grade.crash.nbgrader": "nbgrader falló",
    # ------------------------------------------------------------ report and feedback
    "grade.report.title": "Informe de corrección: {assignment}",
    "grade.report.summary": (
        "{graded} entregas corregidas de {total}; nota media {mean:.2f} / {max_score:g}; "
        "{flagged} con incidencias. Tiempo total: {seconds:.0f} s con {workers} procesos."
    ),
    "grade.report.grades": "Notas",
    "grade.report.flagged": "Entregas con incidencias",
    "grade.report.clean": "Entregas sin incidencias",
    "grade.report.none": "Ninguna.",
    "grade.report.student": "Estudiante",
    "grade.report.score": "Nota",
    "grade.report.problems": "Problemas",
    "grade.feedback.title": "Corrección de {notebook}",
    "grade.feedback.findings": "Incidencias encontradas en tu entrega",
    "grade.feedback.not_graded": "Tu entrega no se ha podido corregir automáticamente.",
    # ------------------------------------------------------------ outputs in the feedback
    "grade.output.cut": "… salida recortada: {kept:,} bytes de {size:,}",
    "grade.output.cut_head": "[… salida recortada: se muestran los últimos {kept:,} bytes de {size:,}]",
    "grade.output.frames_omitted": "[… {count} marcos de bibliotecas omitidos …]",
    "grade.output.dropped": (
        "… {count} salidas más omitidas ({size:,} bytes): el cuaderno superaba el límite de salida"
    ),
    "grade.output.image_dropped": (
        "[imagen {mime} omitida: {size:,} bytes, más que el límite de {limit:,}]"
    ),
    "grade.output.as_text": "[{mime}, mostrado como texto]",
    "grade.output.widget": "[widget interactivo: no se muestra en la corrección]",
    "grade.output.binary": "[{mime}: contenido binario de {size:,} bytes, no se muestra]",
    "grade.output.bad_image": "[imagen {mime} no válida: no se muestra]",
    "grade.output.unknown": "[salida de tipo «{kind}», mostrada como texto]",
    "grade.output.died": (
        "El kernel murió al ejecutar esta celda (0 puntos); las siguientes se ejecutan en un "
        "kernel nuevo."
    ),
    "grade.output.hung": (
        "Esta celda superó {timeout} s y no respondió a la interrupción: se detuvo el kernel "
        "(0 puntos); las siguientes se ejecutan en un kernel nuevo."
    ),
    "grade.output.not_run": (
        "No se ha ejecutado: el kernel se había perdido demasiadas veces (0 puntos)."
    ),
    # ------------------------------------------------------------ HTML class report
    "grade.report.not_isolated": (
        "Atención: {count} entregas se corrigieron SIN aislamiento: su código se ejecutó con "
        "los permisos y el acceso a red de quien lanzó la corrección."
    ),
    "grade.report.histogram": "Distribución de notas",
    "grade.report.histogram_alt": "Histograma: número de estudiantes por intervalo de nota",
    "grade.report.per_question": "Media por apartado",
    "grade.report.question": "Apartado",
    "grade.report.mean": "Media",
    "grade.report.max": "Máximo",
    "grade.report.file": "Archivo",
    "grade.report.status": "Estado",
    "grade.report.feedback": "Devolución",
    "grade.report.feedback_link": "ver devolución",
    "grade.report.repaired": "reparado",
    "grade.report.manual": "Pendiente de corrección manual",
    "grade.report.manual_points": "{points:g} puntos",
    "grade.report.empty_answer": "(respuesta vacía)",
    "grade.leaderboard.title": "Clasificación del desafío: {assignment}",
    "grade.leaderboard.about": (
        "Ordenada por la exactitud que midió el corrector en las imágenes etiquetadas del "
        "profesor (a igual exactitud, menos parámetros primero). Los segundos de entrenamiento "
        "son los que registró cada cuaderno: se muestran, no deciden nada. Los modelos que "
        "incumplen una regla o que no se pudieron medir van al final, sin puesto. Pulsa una "
        "cabecera para ordenar por esa columna."
    ),
    "grade.leaderboard.sorted_by": "Ordenada por: {column}",
    "grade.leaderboard.rank": "Puesto",
    "grade.leaderboard.student": "Estudiante",
    "grade.leaderboard.accuracy": "Exactitud",
    "grade.leaderboard.params": "Parámetros",
    "grade.leaderboard.train_seconds": "Segundos de entrenamiento",
    "grade.leaderboard.band": "Banda",
    "grade.leaderboard.status": "Estado",
    "grade.leaderboard.ranked": "en competición",
    "grade.leaderboard.excluded": "fuera de concurso (incumple {rules})",
    "grade.leaderboard.unmeasured": "sin medida (el corrector no pudo medir el modelo)",
    "grade.report.truncated": "… (recortado: se muestran {shown:,} de {size:,} caracteres)",
    # ------------------------------------------------------------ out-of-kernel judging
    "grade.judged": "«{cell}» no suma puntos: {reason}",
    "grade.label.judged": "{cell}: {score} de {max} puntos",
    "grade.judged.cell_error": "la celda falló antes de registrar su respuesta: {error}",
    "grade.judged.not_run": "la celda no se ejecutó",
    # ------------------------------------------------------------ status of a submission
    "grade.status.graded": "corregida",
    "grade.status.not_graded": "no corregida",
    "grade.status.failed": "corrección fallida",
    "grade.judge_failed": "El corrector no pudo juzgar lo registrado: {reason}",
    "grade.label.judge_failed": "fallo del corrector",
    # ------------------------------------------------------------ resources of a submission
    "grade.too_large": (
        "El cuaderno ocupa {size:,} bytes, más que el límite de {limit:,} bytes (suele ser una "
        "imagen o una salida enorme dentro del cuaderno); no se ha corregido."
    ),
    "grade.group_memory": (
        "La entrega superó la memoria total permitida ({limit} MB para todos sus procesos "
        "juntos): se detuvo el proceso que más ocupaba y la celda en curso cuenta 0 puntos."
    ),
    "grade.group_pids": (
        "La entrega intentó tener más de {limit} procesos o hilos a la vez: se rechazaron los "
        "que pasaban del límite."
    ),
    "grade.cell_pids": (
        "La celda «{cell}» falló al pasar el límite de {limit} procesos o hilos: cuenta 0 puntos."
    ),
    "grade.cell_file_size": (
        "La celda «{cell}» intentó escribir un archivo de más de {limit} MB: se rechazó y la "
        "celda cuenta 0 puntos."
    ),
    "grade.disk": (
        "La entrega escribió más de {limit} MB en su carpeta de corrección: se detuvo la "
        "corrección y cuenta 0 puntos."
    ),
    "grade.leftover": (
        "La entrega dejó {count} procesos en marcha al terminar el cuaderno: se han detenido."
    ),
    "grade.label.too_large": "cuaderno demasiado grande",
    "grade.label.group_memory": "memoria total agotada",
    "grade.label.group_pids": "límite de procesos",
    "grade.label.cell_pids": "límite de procesos ({cell})",
    "grade.label.cell_file_size": "archivo demasiado grande ({cell})",
    "grade.label.disk": "límite de disco",
    "grade.label.leftover": "procesos abandonados",
    "grade.report.not_bounded": (
        "Atención: {count} entregas se corrigieron SIN límite conjunto de memoria y procesos "
        "(sin cgroup): una sola podía ocupar toda la memoria de la máquina."
    ),
    "grade.judge.too_large": (
        "el modelo «{name}» declara {what} demasiado grande ({size:,}; máximo {limit:,})"
    ),
    "grade.judge.member_size": "el archivo «{member}» de «{name}»",
    "grade.judge.weights": "un número de pesos",
}
