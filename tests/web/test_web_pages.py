"""What the pages do with what she tells them: the agency's answer logged as the command line
logs it, a mistake undone, a request closed."""

from __future__ import annotations

from typing import Any

from recordskit.service import open_log
from tests.web.conftest import make_request, visitor


def test_the_agencys_answer_is_the_event_the_command_line_logs(app: Any) -> None:
    seen = visitor(app, language="ht")
    request_id = make_request(seen)
    missing = seen.post(f"/requests/{request_id}/answered", {"meaning": "extension",
                                                             "on": "2026-06-12"})
    assert missing.status_code == 400 and 'href="#f-until"' in missing.text
    done = seen.post(f"/requests/{request_id}/answered", {
        "meaning": "extension", "on": "2026-06-12", "until": "2026-07-20", "note": "lèt"})
    assert done.status_code == 200
    event = open_log().get(request_id).events[-1]
    assert str(event.event) == "response" and str(event.details.kind) == "extension"
    assert str(event.details.until) == "2026-07-20"


def test_a_mistake_is_undone_and_kept(app: Any) -> None:
    seen = visitor(app, language="es")
    request_id = make_request(seen)
    seen.post(f"/requests/{request_id}/answered", {"meaning": "produced", "on": "2026-06-12"})
    page = seen.get(f"/requests/{request_id}")
    assert "/close" in page.text
    undone = seen.post(f"/requests/{request_id}/undo", {"number": "1"})
    assert "Anulado" in undone.text
    logged = open_log().get(request_id)
    assert [str(e.event) for e in logged.events] == ["response", "undo"]
    assert logged.active_events == []
    assert "/close" not in undone.text
    assert seen.post(f"/requests/{request_id}/undo", {"number": "x"}).status_code == 400


def test_a_request_whose_records_came_is_closed(app: Any) -> None:
    seen = visitor(app)
    request_id = make_request(seen)
    seen.post(f"/requests/{request_id}/answered", {"meaning": "produced", "on": "2026-06-12"})
    closed = seen.post(f"/requests/{request_id}/close")
    assert closed.status_code == 200
    assert [str(e.event) for e in open_log().get(request_id).events] == ["response", "closed"]
    assert f"/requests/{request_id}/answered" not in closed.text


def test_sending_problems_are_said_beside_the_address(app: Any) -> None:
    from tests.web.conftest import PUBLIC_PAGES

    seen = visitor(app, language="es")
    for path, data in PUBLIC_PAGES[:4]:
        seen.post(path, data)
    street = seen.post("/new/sending", {**PUBLIC_PAGES[4][1], "delivery": "hand",
                                        "send_to": "x"})
    assert street.status_code == 400
    assert 'href="#f-send_to"' in street.text and "send_to" not in street.text.replace(
        'name="send_to"', "").replace("f-send_to", "")


def test_a_way_the_directory_has_no_address_for_asks_for_one(app: Any) -> None:
    from tests.web.conftest import PUBLIC_PAGES

    seen = visitor(app, language="ht")
    seen.post("/new", {"kind": "public_records"})
    seen.post("/new/agency", {"agency": "bpd"})
    seen.post("/new/records", {"other_records": "Rapò BRIC yo, 2019"})
    seen.post("/new/requester", PUBLIC_PAGES[3][1])
    asked = seen.post("/new/sending", {**PUBLIC_PAGES[4][1], "delivery": "email"})
    assert asked.status_code == 400
    assert 'href="#f-send_to"' in asked.text and "Bay adrès pou voye l" in asked.text
    given = seen.post("/new/sending", {**PUBLIC_PAGES[4][1], "delivery": "email",
                                       "send_to": "records@bpd.example.org"})
    assert given.status_code == 200 and given.url.path == "/new/review"


def test_a_request_opens_by_its_whole_number_only(app: Any) -> None:
    request_id = make_request(visitor(app))
    other = visitor(app)
    for typed in (request_id[:4], request_id[:9], request_id + "0", "../" + request_id):
        refused = other.post("/requests/open", {"id": typed})
        assert refused.status_code == 400, typed
        assert other.get(f"/requests/{request_id}").status_code == 404
    opened = other.post("/requests/open", {"id": request_id.upper()})
    assert opened.status_code == 200 and opened.url.path == f"/requests/{request_id}"


def test_the_review_explains_a_day_the_office_is_closed(app: Any) -> None:
    from tests.web.conftest import PUBLIC_PAGES

    seen = visitor(app, language="es")
    for path, data in PUBLIC_PAGES[:4]:
        seen.post(path, data)
    review = seen.post("/new/sending", {**PUBLIC_PAGES[4][1], "sent_on": "2026-06-13"})
    assert review.url.path == "/new/review"
    assert "sábado" in review.text and "lunes, 15 de junio de 2026" in review.text


def test_the_follow_up_page_says_what_the_letter_will_ask(
        app: Any, monkeypatch: Any) -> None:
    seen = visitor(app, language="es")
    request_id = make_request(seen)
    monkeypatch.setenv("RECORDSKIT_TODAY", "2026-07-08")
    page = seen.get(f"/requests/{request_id}/followup")
    assert "La agencia no respondió a más tardar el día que da la ley" in page.text
    made = seen.post(f"/requests/{request_id}/followup")
    assert "follow-up/follow_up.docx" in made.text
    assert [str(e.event) for e in open_log().get(request_id).events] == ["followed_up"]


def test_a_sending_day_long_gone_is_confirmed_before_the_letter_is_written(app: Any) -> None:
    from tests.web.conftest import PUBLIC_PAGES

    seen = visitor(app, language="es")
    for path, data in PUBLIC_PAGES[:4]:
        seen.post(path, data)
    old = {**PUBLIC_PAGES[4][1], "sent_on": "2026-04-01"}
    asked = seen.post("/new/sending", old)
    assert asked.status_code == 400
    assert 'id="f-confirm_past"' in asked.text and 'href="#f-sent_on"' in asked.text
    confirmed = seen.post("/new/sending", {**old, "confirm_past": "yes"})
    assert confirmed.url.path == "/new/review"
    made = seen.post("/new/write")
    request_id = made.url.path.rsplit("/", 1)[1]
    assert str(open_log().get(request_id).request.sent_on) == "2026-04-01"


def test_a_problem_on_the_first_pages_is_said_in_her_language(app: Any) -> None:
    seen = visitor(app, language="ht")
    assert "Chwazi sa ou vle mande" in seen.post("/new", {}).text
    assert "Chwazi yon lang" in seen.post("/language", {"language": "fr"}).text


def test_error_pages_are_worded_in_the_language_of_the_page(app: Any) -> None:
    from starlette.testclient import TestClient

    from recordskit.service import set_language

    seen = visitor(app, language="es")
    set_language("en")  # whatever the language in use before
    assert "Esta página no existe" in seen.get("/no-such-page").text
    anonymous = TestClient(app, base_url="http://127.0.0.1:8765",
                           headers={"accept-language": "ht,en;q=0.5"})
    set_language("en")
    refused = anonymous.get("/")
    assert refused.status_code == 403 and 'lang="ht"' in refused.text
    assert "Yo pa ka louvri paj sa a la a" in refused.text
