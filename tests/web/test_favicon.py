"""/favicon.ico, which browsers ask for on their own: the icon, not a 404 page."""

from django.contrib.staticfiles import finders


def test_it_serves_the_icon_from_the_static_files(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/uploads/favicon.ico"
    found = finders.find("uploads/favicon.ico")
    assert found
    with open(found, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_it_names_the_icon_in_every_page(client, db):
    page = client.get("/u/unknown-token/").content.decode()
    assert '<link rel="icon" href="/static/uploads/favicon.ico"' in page
