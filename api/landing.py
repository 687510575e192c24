"""The page `/` answers while the web app is not built: what this server is and where to go.

Plain HTML with no script, style sheet or font from elsewhere, so it renders offline.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Marquee</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1b1b1f; }}
code {{ background: #f1f1f4; padding: 0 .25rem; border-radius: 3px; }}
</style>
</head>
<body>
<h1>Marquee</h1>
<p>Theatre integration hub and movie booking platform. This server answers the API;
the customer web app is not built here yet (<code>make demo</code> builds it).</p>
<ul>
<li><a href="{root}/docs">API documentation (Swagger UI)</a> and
    <a href="{root}/redoc">reference (ReDoc)</a></li>
<li><a href="{root}/openapi.json">OpenAPI document</a></li>
<li><a href="{root}/v1/theatres">Theatres</a>, <a href="{root}/v1/movies">movies</a>,
    <a href="{root}/v1/shows">shows</a></li>
<li><a href="{root}/health">Health</a></li>
</ul>
</body>
</html>
"""


def landing_page(request: Request) -> HTMLResponse:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return HTMLResponse(_PAGE.format(root=root), headers={"Cache-Control": "no-cache"})
