"""One style sheet and one script per page (kb.site.assets): the project's own CSS and JS of
mkdocs.yml bundled in order into files named by their hash; the sources stay out of the site."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from mkdocs.config import load_config

from kb.site import assets

from conftest import ROOT

DOCS = ROOT / "docs"
LINK = re.compile(r'<link rel="stylesheet" href="([^"]*)"')
SCRIPT = re.compile(r'<script src="([^"]*)"')


def project_lists() -> tuple[list[str], list[str]]:
    config = load_config(config_file=str(ROOT / "mkdocs.yml"))
    return [str(x) for x in config.extra_css], [str(x) for x in config.extra_javascript]


def concatenation(kind: str, paths: list[str]) -> bytes:
    return assets.SEPARATORS[kind].join((DOCS / p).read_text(encoding="utf-8") for p in paths).encode("utf-8")


def reader(files: dict[str, str]):
    return lambda path: files[path].encode("utf-8") if path in files else None


# -- the plan ---------------------------------------------------------------------------


def test_local_files_become_one_bundle_in_order_and_addresses_stay_in_place():
    files = {"assets/a.css": "a{}\n", "assets/b.css": "b{}\n", "assets/c.css": "c{}\n",
             "assets/x.js": "(function(){x()})()", "assets/y.js": "// last line a comment", "assets/z.js": "z()\n"}
    module = type("ExtraScriptValue", (), {"type": "module", "defer": False, "async_": False,
                                           "__str__": lambda self: "assets/m.js"})()
    plan = assets.plan(["assets/a.css", "assets/b.css", "https://cdn.example/x.css", "assets/c.css"],
                       ["assets/x.js", "assets/y.js", module, "assets/z.js", "assets/missing.js"], reader(files))
    css1, css2, js1, js2 = plan.bundles
    assert css1.content == b"a{}\n\nb{}\n" and css1.sources == ("assets/a.css", "assets/b.css")
    # The address splits the run: what came after it still loads after it.
    assert plan.extra_css == [css1.path, "https://cdn.example/x.css", css2.path] and css2.content == b"c{}\n"
    assert js1.content == b"(function(){x()})()\n;\n// last line a comment"
    assert plan.extra_javascript == [js1.path, module, js2.path, "assets/missing.js"]
    assert plan.bundled == ["assets/a.css", "assets/b.css", "assets/c.css", "assets/x.js", "assets/y.js",
                            "assets/z.js"]
    for b in plan.bundles:
        assert assets.BUNDLE_NAME.match(b.path)
        assert b.path == f"assets/kb.{hashlib.sha256(b.content).hexdigest()[:8]}.{b.kind}"
    # The same input gives the same bundles; any change of a source gives another name.
    again = assets.plan(["assets/a.css", "assets/b.css", "https://cdn.example/x.css", "assets/c.css"], [],
                        reader(files))
    assert again.bundles == [css1, css2]
    assert assets.plan(["assets/b.css", "assets/a.css"], [], reader(files)).bundles[0].path != css1.path  # order
    files["assets/b.css"] = "b{color:red}\n"
    assert assets.plan(["assets/a.css", "assets/b.css"], [], reader(files)).bundles[0].path != css1.path


@pytest.mark.parametrize("entry", ["//cdn.example/a.js", "/assets/a.js", "assets/a.js?v=1", "assets/a.js#x",
                                   "../outside.js", "http://x/a.js"])
def test_addresses_are_not_docs_files(entry):
    assert assets.local_path(entry) is None


def test_strict_files_and_the_others_go_to_separate_bundles():
    files = {"assets/s1.js": '/* c */\n"use strict";\nvar a = 1;\n', "assets/s2.js": "'use strict'\nb()\n",
             "assets/n.js": "var c = 3;\n", "assets/n2.js": "d()\n"}
    plan = assets.plan([], ["assets/n.js", "assets/s1.js", "assets/s2.js", "assets/n2.js"], reader(files))
    assert [b.sources for b in plan.bundles] == [("assets/n.js",), ("assets/s1.js", "assets/s2.js"), ("assets/n2.js",)]
    assert plan.extra_javascript == [b.path for b in plan.bundles]
    assert assets.use_strict(plan.bundles[1].content.decode())  # strict from its first byte: both files strict


@pytest.mark.parametrize("js, strict", [
    ('"use strict";', True), ("'use strict'", True), ('// x\n/* y */\n  "use strict"\nvar a;', True),
    ('"use asm"; "use strict"; f()', True), ('"use strict"\n+ 1', False), ('"use strict".length', False),
    ("(function () {\n  'use strict';\n})();", False), ("var s = 'use strict';", False), ('"other";\nf()', False),
    ("", False),
])
def test_use_strict_directive(js, strict):
    assert assets.use_strict(js) is strict


@pytest.mark.parametrize("path, text, why", [
    ("assets/i.css", '@import "other.css";\na{}', "@import"),
    ("css/u.css", "a{background:url(img/x.png)}", "url()"),
    ("js/c.js", "var s = document.currentScript;", "currentScript"),
    ("assets/m.js", "f()\n//# sourceMappingURL=m.js.map\n", "sourceMappingURL"),
])
def test_files_that_would_not_work_in_the_bundle_load_on_their_own(path, text, why):
    kind = path.rsplit(".", 1)[1]
    lists = ([path], []) if kind == "css" else ([], [path])
    plan = assets.plan(*lists, reader({path: text}))
    assert plan.bundles == [] and [p for p, _ in plan.kept] == [path] and why in plan.kept[0][1]
    assert (plan.extra_css or plan.extra_javascript) == [path]
    # where they would work: bundled
    ok = {"css/u.css": "a{background:url(data:image/png;base64,AA==) url(/abs.png) url('#f')}",
          "js/c.js": "f()\n", "assets/u.css": "a{background:url(img/x.png)}"}
    for p, t in ok.items():
        k = p.rsplit(".", 1)[1]
        assert assets.plan(*(([p], []) if k == "css" else ([], [p])), reader({p: t})).bundles


def test_the_projects_scripts_declare_nothing_at_the_top_level():
    """Each script is one function expression run at once, "use strict" inside: in one bundle they
    share the global scope without a name in it and none makes another strict."""
    _, scripts = project_lists()
    for path in scripts:
        text = (DOCS / path).read_text(encoding="utf-8")
        assert not assets.use_strict(text), path
        code = re.sub(r"^\s*/\*.*?\*/\s*", "", text, count=1, flags=re.S)
        assert code.startswith("(function () {\n") and code.rstrip().endswith("\n})();"), path
        assert not re.search(r"(?m)^(?!\(function \(\) \{$|\}\)\(\);$)\S", code), path


# -- the built sample site ----------------------------------------------------------------


@pytest.mark.slow
def test_pages_name_one_bundle_of_each_kind_with_the_sources_bytes(sample_site: Path):
    css, js = project_lists()
    assert len(css) > 1 and len(js) > 1
    expected = {"css": concatenation("css", css), "js": concatenation("js", js)}
    names = {kind: assets.bundle_name(kind, content) for kind, content in expected.items()}
    for kind, name in names.items():
        assert (sample_site / name).read_bytes() == expected[kind]
    pages = [p for p in sorted(sample_site.rglob("*.html"))  # the theme's (not the printable compilations)
             if "/stylesheets/main." in (html := p.read_text(encoding="utf-8"))]
    assert len(pages) > 40 and (sample_site / "404.html") in pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        links = [h for h in LINK.findall(html) if "/stylesheets/" not in h]  # Material's own: theme files
        scripts = [s for s in SCRIPT.findall(html) if "/javascripts/" not in s]
        rel = page.relative_to(sample_site).as_posix()
        assert [h.rsplit("/", 2)[-2:] for h in links] == [["assets", names["css"][7:]]], rel
        assert [s.rsplit("/", 2)[-2:] for s in scripts] == [["assets", names["js"][7:]]], rel
    # The sources are not in the site, and nothing names them.
    bundled = sorted(p.relative_to(sample_site).as_posix() for p in (sample_site / "assets").glob("kb*"))
    assert bundled == sorted(names.values())
    for path in css + js:
        assert not (sample_site / path).exists(), path
