"""Messages of the throwaway session (copied to checks/tiny/messages.py)."""

TEMPLATES = {"tiny.wrong": "square(2) debe valer 4 (obtenido {got})."}
