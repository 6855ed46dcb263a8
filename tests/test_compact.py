"""Whitespace no reader sees, left out of every page, and a smaller page configuration (kb.site.compact)."""

from __future__ import annotations

import json
import random
import re
from html.parser import HTMLParser

from jinja2.utils import htmlsafe_json_dumps  # what Material's tojson writes

from kb.site.compact import collapse, page_config


class _Text(HTMLParser):
    """What a reader gets: text with whitespace runs as one space, kept where whitespace is kept."""

    KEEP = {"pre", "textarea", "script", "style", "code", "kbd"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.depth = 0
        self.tags: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.depth += tag in self.KEEP
        self.out.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self.depth -= tag in self.KEEP
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data if self.depth else " ".join(data.split()) if data.strip() else " " * bool(data))


def rendered(html: str) -> tuple[str, list]:
    p = _Text()
    p.feed(html)
    return "".join(p.out), p.tags


PAGE = """<!doctype html>
<html>
  <body>
    <nav class="md-nav">
      <ul>
        <li>
          <a href="../x/"  title="a  b">
            <span>  首页  </span>
          </a>
        </li>
      </ul>
    </nav>
    <p>一段 <em>文字</em>
       接着</p>
    <pre><code>  缩进
    保留
</code></pre>
    <p>行内 <code>a
      b</code> 与 <kbd>Ctrl
  C</kbd></p>
    <textarea>
  原样
</textarea>
    <script>
      var s = "a
   b";
    </script>
  </body>
</html>
"""


def test_runs_with_a_line_break_become_one_and_nothing_else_changes():
    out = collapse(PAGE)
    assert len(out) < len(PAGE) * 0.8
    assert rendered(out) == rendered(PAGE)  # same text as a reader gets it, same tags and attributes
    assert "<pre><code>  缩进\n    保留\n</code></pre>" in out
    assert "<code>a\n      b</code>" in out and "<kbd>Ctrl\n  C</kbd>" in out
    assert "<textarea>\n  原样\n</textarea>" in out
    assert 'var s = "a\n   b";' in out
    assert '<span>  首页  </span>' in out  # spaces without a line break are left alone
    assert "\n        <li>" not in out and "\n<li>" in out
    assert collapse(out) == out  # idempotent
    assert collapse("a  b") == "a  b" and collapse("") == ""


def test_line_break_runs_are_collapsed_as_the_regular_expression_says():
    # kb.site.compact splits at line breaks instead of running the expression (twice as fast).
    rng = random.Random(15)
    run = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")
    for _ in range(3000):
        text = "".join(rng.choice([" ", "\n", "\t", "\r", "\f", "a", "字", " \n "]) for _ in range(rng.randint(0, 14)))
        assert collapse(text) == run.sub("\n", text), repr(text)


def test_page_config_keeps_what_the_theme_reads_in_fewer_bytes():
    data = {"base": "../..", "features": ["navigation.tabs"], "search": "x.js", "version": None,
            "translations": {"clipboard.copy": "复制", "search.result.none": "没有找到</script>", "select.version": "选择"}}
    script = f'<script id="__config" type="application/json">{htmlsafe_json_dumps(data)}</script>'
    page = f"<body>\n{script}\n<script>var x = 1;</script></body>"
    out = page_config(page, search=False)
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>', out).group(1))
    assert config == {**data, "translations": {"clipboard.copy": "复制", "select.version": "选择"}}
    assert '"clipboard.copy":"复制"' in out and len(out) < len(page)
    assert out.startswith("<body>\n") and out.endswith("\n<script>var x = 1;</script></body>")
    kept = page_config(page, search=True)  # Material's search on: its texts stay, escaped for HTML
    assert "没有找到\\u003c/script\\u003e" in kept and "</script>\"" not in kept
    assert json.loads(re.search(r'json">(.*?)</script>', kept).group(1)) == data
