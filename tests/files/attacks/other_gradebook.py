# Open the gradebook of another course (another submission's, or the class's).
import sqlite3

try:
    db = sqlite3.connect(f"file:{TARGETS['gradebook']}?mode=ro", uri=True)
    tables = db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    print("other_gradebook: LEAKED", len(tables), "tables")
except sqlite3.Error as exc:
    print("other_gradebook: BLOCKED", type(exc).__name__)
