"""Core of the united-front policy knowledge base.

The package is engine-independent: loading (``loader``), validation
(``schema`` and ``validate``), the knowledge model (``model``), report
sections (``sections``), page generation (``pages``) and the CLI (``cli``).
``hooks/mkdocs_hooks.py`` wires MkDocs events to it.
"""

__version__ = "0.1.0"
