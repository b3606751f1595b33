def test_register_confirm_login(client, db_session):
    from sqlalchemy import select

    from portal.core import outbox
    from portal.core.models import MailboxMessage

    r = client.post("/en/account/register", data={
        "display_name": "Lin", "email": "lin@example.org",
        "password": "a long enough pw", "confirm": "a long enough pw"})
    assert r.status_code == 303
    assert outbox.drain(db_session) == 1
    mail = db_session.scalar(select(MailboxMessage))
    assert mail.recipient == "lin@example.org"
    link = next(line for line in mail.body.splitlines() if "/confirm/" in line)
    r = client.get(link.replace("http://localhost", ""))
    assert r.status_code == 303
