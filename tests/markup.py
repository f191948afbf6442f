"""Hostile markup shared by the escaping and browser tests: what it does if it ever runs."""

PWN = (
    "document.title='PWNED';"
    "document.body.appendChild(Object.assign(document.createElement('p'),{id:'pwned'}))"
)
SCRIPT = f"<script>{PWN}</script>"
IMG = f'<img src=x onerror="{PWN}">'
IFRAME = "<iframe src=\"javascript:parent.document.title='PWNED'\"></iframe>"
SVG = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PWN}"><script>{PWN}</script></svg>'
