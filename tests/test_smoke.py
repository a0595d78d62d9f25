def test_it_serves_the_invalid_link_page(client, db):
    response = client.get("/u/nonsense/")
    assert response.status_code == 404
