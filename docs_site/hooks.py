"""MkDocs hooks of the documentation site (mkdocs.yml): pages that live outside docs/, and links that work in both.

The site's pages are the repository's own files, never copies kept in the repository:

- docs/*.md are the docs_dir; generated/docs/reference.md becomes reference/index.md and each
  generated/docs/reference-<module>.md becomes reference/<module>.md (the "Wire reference" section of the nav is
  filled from them, so a new extension version appears without editing mkdocs.yml); CHANGELOG.md becomes
  changelog.md, README.md development.md, and examples/*.py are copied as they are (the guide links to them).
- Every `api/<name>.md` of the nav is a page holding `::: mcp_ext_tasks.<name>` (`api/mcp_ext_tasks.md`: the
  package itself), rendered by mkdocstrings from the docstrings.
- A relative link in any of those pages is written for the repository (`../examples/guide_server.py` in
  docs/guide.md, `docs/guide.md` in README.md); it is resolved against the page's place in the repository and
  rewritten to the place of its target in the site. A link to a file that is not part of the site is left alone, so
  the strict build fails on it.
- The Mermaid script comes from the npm package `mermaid`, fetched by `nox -s docs` (MERMAID_JS, or the default
  below): it is served with the site as assets/javascripts/mermaid.min.js, loaded by the pages that draw a diagram
  (docs_site/overrides/main.html), so no page fetches anything from the internet.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "mcp_ext_tasks"
GENERATED_DOCS = REPO / "generated" / "docs"
MERMAID_JS = Path(os.environ.get("MERMAID_JS", REPO / ".nox" / "docs-cache" / "mermaid.min.js"))
MERMAID_URI = "assets/javascripts/mermaid.min.js"
WIRE_REFERENCE = "Wire reference"
API_REFERENCE = "API reference"
OPTIONAL_MODULES = ("fast", "redis_store")
"""Public modules that not every checkout has: listed in the API reference when the package holds them."""

# Repository path (POSIX, relative to the repository) -> path of the same file in the site's sources.
_site_paths: dict[str, str] = {}
# The other way round, for the pages whose links are rewritten.
_repo_paths: dict[str, str] = {}

_LINK = re.compile(r"(!?\[(?:[^\[\]]|\[[^\]]*\])*\]\()([^)\s]+)(\))")
_FENCE = re.compile(r"^(```|~~~)")


def _reference_pages() -> list[tuple[str, str]]:
    """(title, site path) of each generated reference page, the index first, then the versions as reference.md
    lists them."""
    index = GENERATED_DOCS / "reference.md"
    if not index.is_file():
        raise PluginError(f"{index} is missing: run `python -m codegen generate` (nox -s generate)")
    pages = [("Versions and wire changes", "reference/index.md")]
    for name in re.findall(r"\]\(reference-([A-Za-z0-9_]+)\.md\)", index.read_text(encoding="utf-8")):
        if (GENERATED_DOCS / f"reference-{name}.md").is_file() and f"reference/{name}.md" not in dict(pages).values():
            title = re.sub(r"^v(\d{4})_(\d{2})_(\d{2})$", r"\1-\2-\3", name)
            pages.append((title, f"reference/{name}.md"))
    return pages


def _outside_sources() -> dict[str, Path]:
    """Site path -> file in the repository, for every page and file of the site outside docs_dir."""
    sources: dict[str, Path] = {"reference/index.md": GENERATED_DOCS / "reference.md"}
    for page in GENERATED_DOCS.glob("reference-*.md"):
        sources[f"reference/{page.stem.removeprefix('reference-')}.md"] = page
    sources["changelog.md"] = REPO / "CHANGELOG.md"
    sources["development.md"] = REPO / "README.md"
    for example in sorted((REPO / "examples").glob("*.py")):
        sources[f"examples/{example.name}"] = example
    return sources


def _api_pages(nav: list[Any]) -> list[str]:
    """The `api/*.md` paths named in the nav."""
    found: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, str) and item.startswith("api/") and item.endswith(".md"):
            found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(nav)
    return found


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Fill the nav's wire reference section from generated/docs/; add the optional modules the package has to the
    API reference."""
    package = REPO / "generated" / PACKAGE
    for entry in config.nav or []:
        if isinstance(entry, dict) and WIRE_REFERENCE in entry:
            entry[WIRE_REFERENCE] = [{title: path} for title, path in _reference_pages()]
        if isinstance(entry, dict) and isinstance(entry.get(API_REFERENCE), list):
            listed = _api_pages(entry[API_REFERENCE])
            for name in OPTIONAL_MODULES:
                present = (package / f"{name}.py").is_file() or (package / name / "__init__.py").is_file()
                if present and f"api/{name}.md" not in listed:
                    entry[API_REFERENCE].append({name: f"api/{name}.md"})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the pages and files that live outside docs/, the API pages and the Mermaid script."""
    _site_paths.clear()
    _repo_paths.clear()
    docs_dir = Path(config.docs_dir).resolve()
    for file in files:
        repo_path = (docs_dir / file.src_uri).relative_to(REPO).as_posix()
        _site_paths[repo_path] = file.src_uri
        _repo_paths[file.src_uri] = repo_path
    for site_path, source in _outside_sources().items():
        files.append(File.generated(config, site_path, abs_src_path=str(source)))
        repo_path = source.relative_to(REPO).as_posix()
        _site_paths[repo_path] = site_path
        _repo_paths[site_path] = repo_path
    _site_paths["examples"] = "examples/index.md"
    files.append(File.generated(config, "examples/index.md", content=_examples_page()))
    for site_path in _api_pages(config.nav or []):
        name = posixpath.splitext(posixpath.basename(site_path))[0]
        module = PACKAGE if name == PACKAGE else f"{PACKAGE}.{name}"
        files.append(File.generated(config, site_path, content=f"# `{module}`\n\n::: {module}\n"))
    if not MERMAID_JS.is_file():
        raise PluginError(f"{MERMAID_JS} is missing: `nox -s docs` fetches it (the npm package mermaid)")
    files.append(File.generated(config, MERMAID_URI, abs_src_path=str(MERMAID_JS)))
    return files


def _examples_page() -> str:
    lines = ["# Example programs", "", "The programs in the repository's `examples/` folder:", ""]
    for example in sorted((REPO / "examples").glob("*.py")):
        lines.append(f"- [`{example.name}`]({example.name})")
    return "\n".join(lines) + "\n"


def _rewrite(target: str, page_repo_path: str, page_site_path: str) -> str:
    """The site's link for `target`, a link written in the repository file `page_repo_path`."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith(("#", "/")):
        return target
    path, hash_, fragment = target.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page_repo_path), path)).rstrip("/")
    site_path = _site_paths.get(resolved)
    if site_path is None:
        return target  # not part of the site: the strict build reports it
    relative = posixpath.relpath(site_path, posixpath.dirname(page_site_path) or ".")
    return relative + hash_ + fragment


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Rewrite the page's repository-relative links to site-relative ones (outside fenced code)."""
    page_repo_path = _repo_paths.get(page.file.src_uri)
    if page_repo_path is None:
        return markdown
    out: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        opening = _FENCE.match(line.lstrip())
        if fence is not None:
            if opening and opening.group(1) == fence:
                fence = None
        elif opening:
            fence = opening.group(1)
        else:
            line = _LINK.sub(
                lambda m: m.group(1) + _rewrite(m.group(2), page_repo_path, page.file.src_uri) + m.group(3), line
            )
        out.append(line)
    return "".join(out)


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    """`mkdocs serve` rebuilds when a page outside docs/ changes."""
    for source in [GENERATED_DOCS, REPO / "CHANGELOG.md", REPO / "README.md", REPO / "examples"]:
        server.watch(str(source))
    return server
