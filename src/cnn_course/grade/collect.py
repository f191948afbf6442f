"""Find the submissions of one assignment: a folder of notebooks or an LMS zip, and a roster.

Files are read, never written: a submission is its bytes in memory. LMS file names
(Moodle, Canvas) are mapped to students by :class:`LmsFileNameCollector`, an
nbgrader ``zip_collect`` plugin, so the same mapping also works with
``nbgrader zip_collect --ZipCollectApp.collector_plugin=cnn_course.grade.collect.LmsFileNameCollector``.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin
from traitlets import Unicode

from cnn_course.grade.findings import Finding


@dataclass(frozen=True)
class Submission:
    """One student's file, as bytes."""

    student: str
    filename: str
    """the file's name in the folder or zip, for the report"""
    data: bytes
    findings: tuple[Finding, ...] = ()


@dataclass
class Roster:
    """The class list: student ids, with LMS ids and names to match LMS file names against."""

    ids: list[str] = field(default_factory=list)
    by_lms_id: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    """normalised name (any order of first and last names) -> student id"""

    @classmethod
    def read(cls, path: Path) -> Roster:
        """CSV with a header: student_id (or id), optional lms_id, name or first_name/last_name."""
        roster = cls()
        with open(path, newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                sid = row.get("student_id") or row.get("id")
                if not sid:
                    raise ValueError(f"{path}: every row needs a student_id (row {row}).")
                roster.ids.append(sid)
                if row.get("lms_id"):
                    roster.by_lms_id[row["lms_id"]] = sid
                first, last = row.get("first_name", ""), row.get("last_name", "")
                for name in (row.get("name", ""), f"{first} {last}", f"{last} {first}"):
                    if normalise(name):
                        roster.by_name[normalise(name)] = sid
        return roster

    def find(self, key: str, name: str = "", lms_id: str = "") -> str | None:
        if lms_id and lms_id in self.by_lms_id:
            return self.by_lms_id[lms_id]
        if key in self.ids:
            return key
        return self.by_name.get(normalise(name)) if name else None


def normalise(name: str) -> str:
    """Lower-case ASCII letters and digits only: «Ana Pérez» -> «anaperez»."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def slug(name: str) -> str:
    """A readable student id from a name: «Ana Pérez» -> «ana_perez»."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "anonimo"


class LmsFileNameCollector(FileNameCollectorPlugin):
    """Map Moodle- and Canvas-style submission file names to students."""

    moodle_regexp = Unicode(
        r"^(?:.*/)?(?P<name>[^/_]+)_(?P<lms_id>\d+)_assignsubmission_file_?/?(?P<file_id>[^/]+)$",
        help=(
            "Moodle: 'Nombre Apellido_12345_assignsubmission_file_mnist.ipynb', or the same "
            "folder name with the file inside; 12345 is Moodle's participant id."
        ),
    ).tag(config=True)

    canvas_regexp = Unicode(
        r"(?i)^(?:.*/)?(?P<name>[a-z0-9]+?)(?:_late)?_(?P<lms_id>\d+)_(?P<submission_id>\d+)_(?P<file_id>[^/]+)$",
        help=(
            "Canvas: 'apellidonombre_12345_67890_mnist.ipynb' (or with '_late_' after the "
            "name); 12345 is Canvas's user id, 67890 the submission id."
        ),
    ).tag(config=True)

    def collect(self, submitted_file: str) -> dict | None:
        """{student_id, file_id, name, lms_id, lms} for an LMS file name, else None."""
        path = str(PurePosixPath(submitted_file))
        for lms, regexp in (("moodle", self.moodle_regexp), ("canvas", self.canvas_regexp)):
            m = re.match(regexp, path)
            if m:
                gd = m.groupdict()
                return {
                    "student_id": slug(gd["name"]),
                    "file_id": gd["file_id"],
                    "name": gd["name"],
                    "lms_id": gd["lms_id"],
                    "lms": lms,
                }
        return None


@dataclass(frozen=True)
class _File:
    name: str
    data: bytes
    mtime: float


def _files(source: Path) -> list[_File]:
    """Every file of a folder (recursively) or a zip, read into memory."""
    if source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as zf:
            return [
                _File(info.filename, zf.read(info), datetime(*info.date_time).timestamp())
                for info in zf.infolist()
                if not info.is_dir() and not _junk(info.filename)
            ]
    if source.is_file():
        return [_File(source.name, source.read_bytes(), source.stat().st_mtime)]
    if not source.is_dir():
        raise FileNotFoundError(f"No submissions at {source}: give a folder or a zip file.")
    return [
        _File(p.relative_to(source).as_posix(), p.read_bytes(), p.stat().st_mtime)
        for p in sorted(source.rglob("*"))
        if p.is_file() and not _junk(p.relative_to(source).as_posix())
    ]


def _junk(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(p.startswith(".") or p in ("__MACOSX", ".ipynb_checkpoints") for p in parts)


def fingerprint(source: Path) -> dict[str, str]:
    """SHA-256 of every file under ``source`` (or of ``source`` itself), to prove it untouched."""
    paths = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def collect(source: Path, roster: Roster | None = None) -> list[Submission]:
    """One submission per student, sorted by student id; roster students without one are left out."""
    plugin = LmsFileNameCollector()
    entries = []  # (file, key, name, lms id)
    for file in _files(Path(source)):
        info = plugin.collect(file.name)
        if info is not None:
            entries.append((file, info["student_id"], info["name"], info["lms_id"]))
        elif file.name.endswith(".ipynb"):  # a stray file in a plain folder is no submission
            entries.append((file, PurePosixPath(file.name).stem, "", ""))
    lms_ids: dict[str, set[str]] = {}
    for _, key, _, lms_id in entries:
        if lms_id:
            lms_ids.setdefault(key, set()).add(lms_id)
    candidates: dict[str, list[tuple[_File, list[Finding]]]] = {}
    for file, key, name, lms_id in entries:
        findings: list[Finding] = []
        student = roster.find(key, name, lms_id) if roster is not None else None
        if student is None:
            # Two LMS users with the same name stay apart by their LMS ids.
            student = f"{key}_{lms_id}" if len(lms_ids.get(key, ())) > 1 else key
            if roster is not None:
                findings.append(Finding("unknown_student", student, {"file": file.name}))
        candidates.setdefault(student, []).append((file, findings))
    submissions = []
    for student, files in sorted(candidates.items()):
        # Notebooks before other files, then the newest: the last notebook handed in.
        files.sort(key=lambda f: (f[0].name.endswith(".ipynb"), f[0].mtime, f[0].name))
        file, findings = files[-1]
        if len(files) > 1:
            findings = [
                *findings,
                Finding(
                    "extra_submission",
                    detail={"files": ", ".join(f.name for f, _ in files), "chosen": file.name},
                ),
            ]
        submissions.append(Submission(student, file.name, file.data, tuple(findings)))
    return submissions
