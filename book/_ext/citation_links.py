"""Make bibliography entries targets of plain Markdown links: ``[Pascanu et al., 2013](../book/references.md#key)``.

The chapters cite with such links instead of the ``{cite}`` role, because a link reads the same on the website,
in JupyterLab (where jupyterlab-myst has no bibliography and shows every ``{cite}`` as "Citation Not Found") and
on Colab (no MyST at all). MyST resolves ``page.md#anchor`` only against that page's heading slugs, so this
registers each entry of a ``{bibliography}`` as a slug of its page; ``bibtex_cite_id = "{key}"`` in
``_config.yml`` makes the entry's HTML id its key. A link to a key that is not in the bibliography still fails
the ``-W`` build (``myst.xref_missing``).
"""


def _register_entries(app, doctree):
    env = app.env
    for where, bibliography in env.get_domain("cite").bibliographies.items():
        if where.docname == env.docname:
            slugs = env.metadata[env.docname].setdefault("myst_slugs", {})
            for key, node in bibliography.citation_nodes.items():
                slugs[key] = (bibliography.line, node["ids"][0], key)


def setup(app):
    app.connect("doctree-read", _register_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
