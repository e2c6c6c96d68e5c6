import json

import pytest

from cluster_etl.fetch.decode import decode_body
from cluster_etl.portal import layout
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import HEADERS_FILE

SAMPLE_BASE = "http://127.0.0.1:8123"


@pytest.fixture(scope="session")
def sample_pages(tmp_path_factory) -> dict[str, list[tuple[str, str]]]:
    """The sample portal's pages as fetch hands them over: kind -> [(URL, decoded HTML)]."""
    root = tmp_path_factory.mktemp("sample-portal")
    write_sample_portal(root)
    content_types = json.loads((root / HEADERS_FILE).read_text("utf-8"))
    pages: dict[str, list[tuple[str, str]]] = {
        "overview": [], "home": [], "directory": [], "member": []}
    for file in sorted(root.rglob("*.html")):
        path = "/" + file.relative_to(root).as_posix()
        html = decode_body(file.read_bytes(), content_types.get(path, "text/html; charset=utf-8"))
        if file.name.startswith("membres.page-"):
            page = file.name.removeprefix("membres.page-").removesuffix(".html")
            path = path.rsplit("/", 1)[0] + f"/membres.html?page={page}"
        url = SAMPLE_BASE + path
        kind = ("member" if layout.is_member_page_url(url) else
                "directory" if layout.is_directory_url(url) else
                "home" if layout.is_cluster_home_url(url) else
                "overview" if path == layout.OVERVIEW_PATH else None)
        if kind:
            pages[kind].append((url, html))
    assert all(pages.values()), {kind: len(found) for kind, found in pages.items()}
    return pages
