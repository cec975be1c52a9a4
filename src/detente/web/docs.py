"""The API's documentation page, ``/api/docs``: the OpenAPI description rendered as one plain
HTML page on the server (every endpoint, its parameters and answers), no script and no asset
from anywhere else. The machine-readable description is ``/api/v1/openapi.json``."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter()

STYLE = """body{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}code{background:#f4f4f4;padding:1px 4px}h2{border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-bottom:1px solid #eee;
padding:3px 6px;text-align:left;vertical-align:top}.method{font-weight:700;color:#2c3e50}"""


def _type(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    kind = str(schema.get("type", "any"))
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _parameters(operation: dict[str, Any]) -> str:
    rows = []
    for p in operation.get("parameters", []):
        schema = p.get("schema", {})
        rows.append(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p.get('in', ''))}</td>"
            f"<td>{escape(_type(schema))}</td>"
            f"<td>{escape(str(p.get('description') or schema.get('description') or ''))}</td></tr>"
        )
    if not rows:
        return ""
    return (
        "<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def render_docs(schema: dict[str, Any]) -> str:
    sections = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            answers = ", ".join(
                f"{code} {r.get('description', '')}"
                for code, r in operation.get("responses", {}).items()
            )
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            takes = (
                f"<p>Body: JSON <code>{escape(_type(body['schema']))}</code></p>" if body else ""
            )
            sections.append(
                f"<h3><span class=method>{escape(method.upper())}</span> "
                f"<code>{escape(path)}</code></h3>"
                f"<p>{escape(operation.get('summary', ''))}</p>{takes}{_parameters(operation)}"
                f"<p>Answers: {escape(answers)}</p>"
            )
    models = []
    for name, model in schema.get("components", {}).get("schemas", {}).items():
        fields = ", ".join(
            f"<code>{escape(k)}</code> {escape(_type(v))}"
            for k, v in model.get("properties", {}).items()
        )
        models.append(f"<p><b>{escape(name)}</b>: {fields}</p>")
    info = schema.get("info", {})
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>detente API</title><style>{STYLE}</style></head><body>
<h1>detente API {escape(str(info.get("version", "")))}</h1>
<p>{escape(str(info.get("description", "")))} The machine-readable description is
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Writes take
<code>Authorization: Bearer TOKEN</code> (<code>detente tokens create</code>); every error is
<code>{{"error": {{"status", "title", "detail"}}}}</code>.</p>
<h2>Endpoints</h2>{"".join(sections)}<h2>Bodies</h2>{"".join(models)}</body></html>"""


@router.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return HTMLResponse(render_docs(request.app.openapi()))
