"""Every demo account can log in with the demo password."""

from __future__ import annotations

from portal.seed import DEMO_PASSWORD, DEMO_USERS


def test_every_demo_account_logs_in(app, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
    for email, _name, _roles, _departments, locale in DEMO_USERS:
        client = app.test_client()
        response = client.post("/en/account/login",
                               data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 303, (email, response.get_data(as_text=True)[:300])
        assert response.headers["Location"] == f"/{locale}/"
        assert client.get("/en/account/settings").status_code == 200, email
