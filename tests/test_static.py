"""The page's static files: the built editor bundle is served, its npm build project is not."""

from fastapi.testclient import TestClient

from server.app import create_app
from server.config import Settings


def test_editor_sources_are_not_served_but_the_bundle_is(tmp_path):
    client = TestClient(create_app(Settings(data_dir=tmp_path, warm_models=False)))
    assert client.get("/vendor/codemirror.js").status_code == 200
    assert client.get("/index.html").status_code == 200
    for path in ("/editor/package.json", "/editor/build.mjs", "/editor", "/%65ditor/package.json"):
        assert client.get(path).status_code == 404, path
