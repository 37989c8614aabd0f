"""Drop duplicate inline <script> tags that Sphinx 7.4 emits for some extensions.

Sphinx 7.4 registers ``app.add_js_file(None, body=...)`` twice when an extension calls it after the builder
exists (once with filename ``None``, once with ``''``, which do not compare equal). For sphinx-thebe that
declares ``const THEBE_JS_URL`` twice, a SyntaxError on every page. This keeps the first of each
(filename, priority, attributes), treating ``None`` and ``''`` alike.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", getattr(script, "priority", 0),
               tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
