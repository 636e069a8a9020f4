def test_me_with_token(client, sysadmin, bearer):
    response = client.get("/api/v1/me", **bearer(sysadmin))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "sysadmin"
    assert "accounts.manage_user" in body["permissions"]
