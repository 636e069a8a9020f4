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
