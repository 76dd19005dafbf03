"""Look at a reviewbot comment as a person would: Markdown (tables, ```mermaid blocks) in a
page styled like a GitHub comment, rendered by headless Chromium (Debian's `chromium`)
with Mermaid from tests/mermaid/node_modules, saved as a PNG. Offline.

    python -m tests.mermaid.screenshot comment.md out.png [--width 900]

A line ``<!-- as: LOGIN -->`` starts another comment by LOGIN (a thread); hidden markers
show nowhere, as on GitHub.

Used for the pictures in docs/images/; not run by the test suite.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

FOLDER = Path(__file__).resolve().parent
_BLOCK = re.compile(r'<pre><code class="language-mermaid">(.*?)</code></pre>', re.S)
_CSS = """
body { font: 14px -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328;
       background: #fff; margin: 0; padding: 16px; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; max-width: 860px;
           margin-bottom: 12px; }
.head { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px;
        border-radius: 6px 6px 0 0; color: #59636e; }
.head b { color: #1f2328; }
.body { padding: 8px 16px 16px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d1d9e0; padding: 4px 10px; text-align: left; }
th { background: #f6f8fa; }
code { background: #eff1f3; border-radius: 4px; padding: 1px 4px; font-size: 12px; }
pre.mermaid { background: #fff; text-align: center; }
blockquote { color: #59636e; border-left: 3px solid #d1d9e0; margin: 0; padding: 0 12px; }
"""


_AS = re.compile(r"^<!-- as: (.+?) -->$", re.M)


def page(markdown: str, author: str) -> str:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    parts = _AS.split(markdown)
    comments = [(author, parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]
    boxes = []
    for who, text in comments:
        if not text.strip():
            continue
        body = _BLOCK.sub(lambda m: f'<pre class="mermaid">{m.group(1)}</pre>', md.render(text))
        boxes.append(
            f'<div class="comment"><div class="head"><b>{html.escape(who)}</b> commented</div>'
            f'<div class="body">{body}</div></div>'
        )
    script = (FOLDER / "node_modules" / "mermaid" / "dist" / "mermaid.min.js").as_uri()
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>{_CSS}</style>
<script src="{script}"></script></head><body>
{"".join(boxes)}
<script>mermaid.initialize({{startOnLoad: true, securityLevel: "strict"}});</script>
</body></html>"""


def screenshot(markdown: str, out: Path, *, width: int = 900, height: int = 1100,
               author: str = "github-actions[bot]") -> None:  # fmt: skip
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("install Chromium first: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "comment.html"
        target.write_text(page(markdown, author), encoding="utf-8")
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--allow-file-access-from-files", f"--window-size={width},{height}",
             "--virtual-time-budget=5000", f"--screenshot={out.resolve()}", target.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("markdown", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=900)
    parser.add_argument("--height", type=int, default=1100)
    parser.add_argument("--author", default="github-actions[bot]")
    args = parser.parse_args()
    text = args.markdown.read_text(encoding="utf-8")
    screenshot(text, args.png, width=args.width, height=args.height, author=args.author)


if __name__ == "__main__":
    main()
