def test_me_with_token(client, sysadmin, bearer):
    response = client.get("/api/v1/me", **bearer(sysadmin))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "sysadmin"
    assert "accounts.manage_user" in body["permissions"]


def test_query_filtered_lists_answer(client, sysadmin, bearer):
    """Endpoints with Query[...] filter schemas resolve (regression: postponed annotations)."""
    headers = bearer(sysadmin)
    for url in (
        "/api/v1/regions?within=330106",
        "/api/v1/users?kind=staff",
        "/api/v1/departments?region=330106",
    ):
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.content[:300])
        assert "items" in response.json()


def test_api_docs_served_without_cdn(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr.net" not in html
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/regions" in schema.json()["paths"]
