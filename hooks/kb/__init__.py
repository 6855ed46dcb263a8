"""Core of the united-front policy knowledge base.

The subpackages are the stages of the pipeline, in order; a stage imports
only the stages before it (the import-linter contract in pyproject.toml):

=============  ================================================================
``text``       numerals, Simplified/Traditional script, Markdown line scanning
``source``     reading ``data/`` (front matter, taxonomy) and git history
``schema``     entry models, validation, JSON Schema, field guide, snippets
``settings``   ``extra.kb`` of mkdocs.yml and the ``KB_*`` variables, validated once
``analysis``   report sections, articles, citations, versions, review dates
``model``      the entry record, the knowledge base and its indexes, audience
``site``       the page list (``catalog``), page rendering, search index, exports, CSS/JS bundles
``importer``   ``kb import``: documents staff already have -> entries
``publish``    verified, atomic publishing; offline edition
``preview``    ``kb serve``: rebuild only what an edit changed
``engine``     the build engine's events -> the core: one build's state (``hooks/mkdocs_hooks.py``)
``cli``        the ``kb`` command
=============  ================================================================
"""

__version__ = "0.1.0"
