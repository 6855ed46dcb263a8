"""A generated page whose Markdown is made only if MkDocs reads it.

After an edit, most generated pages are whole in the build cache
(kb.engine.pagecache): MkDocs never reads their Markdown (``pre_page``
replaces the read). ``LazyPage`` is a MkDocs ``File`` whose content is
made by a function on first use (every way MkDocs reaches a file's content
goes through ``File._content``), for the rare stored page that turns out
unusable. A page made with its content can ``drop()`` it and make it again
when read: in a cold build, once the children of kb.engine.prerender (which
inherited it) build the page, this process needs it no more (at 10,000
entries the pages' Markdown is a few hundred megabytes).
"""

from __future__ import annotations

from typing import Any, Callable

from mkdocs.structure.files import File, InclusionLevel


class LazyPage(File):
    """A generated page whose content is ``make()``, called when first needed (and again after ``drop()``)."""

    _maker: Callable[[], str] | None = None
    _made: str | bytes | None = None  # None: not made (yet, or since drop())

    @property  # type: ignore[override]
    def _content(self) -> str | bytes | None:
        if self._made is None and self._maker is not None:
            self._made = self._maker()
        return self._made

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        self._made = value

    @classmethod
    def later(cls, config: Any, src_uri: str, make: Callable[[], str], content: str | None = None,
              inclusion: InclusionLevel = InclusionLevel.UNDEFINED) -> "LazyPage":
        """A page whose content is ``make()``: made when first read, or ``content`` until ``drop()``."""
        f = cls.generated(config, src_uri, content="", inclusion=inclusion)
        f._maker, f._made = make, content
        return f

    def drop(self) -> None:
        """The content forgotten, made again (``make()``) if it is read."""
        self._made = None

    @property
    def made(self) -> bool:
        """Whether the content is there (made, or given)."""
        return self._made is not None
