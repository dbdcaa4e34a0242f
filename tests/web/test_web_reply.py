"""The agency answered: its email pasted or uploaded on the request's page, what recordskit read
shown to confirm, change or refuse event by event; nothing logged nor kept until she confirms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from recordskit.service import open_log
from tests.web.conftest import PUBLIC_PAGES, Visitor, make_request

REPLIES = Path(__file__).resolve().parents[1] / "data" / "replies"


def request_sent(family: Visitor, monkeypatch: pytest.MonkeyPatch, sent_on: str, today: str
                 ) -> str:
    """A request to BPS sent on ``sent_on``, made through the pages, with ``today`` after."""
    monkeypatch.setenv("RECORDSKIT_TODAY", today)
    pages = [(path, dict(data)) for path, data in PUBLIC_PAGES]
    pages[-1][1].update(sent_on=sent_on, confirm_past="yes")  # its answer may be due already
    return make_request(family, pages)


def paste(family: Visitor, request_id: str, name: str) -> Any:
    family.get(f"/requests/{request_id}")
    return family.client.post(f"/requests/{request_id}/reply",
                              data={"csrf": family.csrf,
                                    "text": (REPLIES / name).read_text(encoding="utf-8")},
                              files={"file": ("", b"", "application/octet-stream")})


def upload(family: Visitor, request_id: str, name: str, data: bytes | None = None) -> Any:
    family.get(f"/requests/{request_id}")
    return family.client.post(f"/requests/{request_id}/reply",
                              data={"csrf": family.csrf, "text": ""},
                              files={"file": (name, data if data is not None
                                              else (REPLIES / name).read_bytes(),
                                              "message/rfc822")})


def events_of(request_id: str) -> list[tuple[str, str, str]]:
    return [(str(e.event), e.on_date.isoformat(), str(getattr(e.details, "kind", "") or ""))
            for e in open_log().get(request_id).events]


def kept(folder: Path) -> list[Path]:
    return sorted(folder.rglob("replies/*"))


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_a_boston_acknowledgment_pasted_sets_the_receipt_it_states(
        family: Visitor, requests_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2023-11-30", "2023-12-06")
    before = words(family.get(f"/requests/{request_id}").text)
    assert "Monday, December 18, 2023" not in before
    shown = paste(family, request_id, "city_ack_sunday_night.txt")
    assert shown.status_code == 200 and shown.url.path.endswith("/reply/check")
    said = words(shown.text)
    assert "The email is in English" in said
    assert "The agency received your request on Sunday, December 3, 2023." in said
    assert "received in this office on 12/3/2023 10:37:21 PM" in said  # the email's words
    assert '<blockquote lang="en">' in shown.text
    assert events_of(request_id) == [] and kept(requests_folder) == []  # nothing yet
    done = family.post(f"/requests/{request_id}/reply/check",
                       {"kind": "acknowledgment", "do-0": "yes", "on-0": "2023-12-03",
                        "action": "log"})
    assert done.status_code == 200 and done.url.path == f"/requests/{request_id}"
    assert events_of(request_id) == [("received", "2023-12-03", "")]
    after = words(done.text)
    assert "Monday, December 18, 2023" in after  # the response is due counted from Dec 4
    files = kept(requests_folder)
    assert len(files) == 1
    assert files[0].read_bytes() == (REPLIES / "city_ack_sunday_night.txt").read_bytes()


def test_an_extension_uploaded_as_a_saved_email(family: Visitor, requests_folder: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2024-04-24", "2024-05-09")
    shown = upload(family, request_id, "extension_bpd.eml")
    assert shown.url.path.endswith("/reply/check"), words(shown.text)[:2000]
    said = words(shown.text)
    assert "They need more time" in said and "The records are to come by" in said
    until = re.search(r'name="until-(\d)" value="([0-9-]+)"', shown.text)
    assert until
    form = {"kind": "extension", "action": "log"}
    for number in re.findall(r'name="do-(\d)"', shown.text):
        form[f"do-{number}"] = "yes"
        form[f"on-{number}"] = re.search(rf'name="on-{number}" value="([0-9-]+)"',
                                         shown.text).group(1)  # type: ignore[union-attr]
    form[f"until-{until.group(1)}"] = until.group(2)
    done = family.post(f"/requests/{request_id}/reply/check", form)
    assert done.url.path == f"/requests/{request_id}", words(done.text)[:2000]
    logged = events_of(request_id)
    assert ("received", "2024-04-25", "") in logged
    assert ("response", "2024-05-08", "extension") in logged
    files = kept(requests_folder)
    assert [f.suffix for f in files] == [".eml"]
    assert files[0].read_bytes() == (REPLIES / "extension_bpd.eml").read_bytes()


def test_a_refusal_confirmed_then_the_appeal_is_offered(
        family: Visitor, requests_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2025-02-05", "2025-02-21")
    shown = upload(family, request_id, "denied_exemptions.eml")
    assert "They refused to give the records" in words(shown.text)
    form = {"kind": "denied", "action": "log"}
    for number in re.findall(r'name="do-(\d)"', shown.text):
        form[f"do-{number}"] = "yes"
        form[f"on-{number}"] = re.search(rf'name="on-{number}" value="([0-9-]+)"',
                                         shown.text).group(1)  # type: ignore[union-attr]
    done = family.post(f"/requests/{request_id}/reply/check", form)
    assert ("response", "2025-02-20", "denied") in events_of(request_id)
    assert f'href="/requests/{request_id}/appeal"' in done.text
    appeal = family.get(f"/requests/{request_id}/appeal")
    assert appeal.status_code == 200 and "Make the appeal" in appeal.text


def test_an_unsure_reply_asks_to_choose_and_saying_no_logs_nothing(
        family: Visitor, requests_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2024-11-15", "2024-11-25")
    shown = paste(family, request_id, "unsure_status_or_fee.txt")
    said = words(shown.text)
    assert "recordskit is not sure what this email is" in said
    assert " checked" not in shown.text.split('name="kind"', 1)[1].split("</fieldset>")[0]
    assert 'name="do-0"' not in shown.text  # nothing proposed before she chooses
    # Logging without choosing: she is asked to choose, nothing is logged
    asked = family.post(f"/requests/{request_id}/reply/check", {"action": "log"})
    assert asked.status_code == 400 and 'id="error-summary"' in asked.text
    assert 'href="#f-kind"' in asked.text
    chosen = family.post(f"/requests/{request_id}/reply/check",
                         {"kind": "fee_estimate", "action": "kind"})
    assert 'name="do-0"' in chosen.text and 'name="amount-0"' in chosen.text
    refused = family.post(f"/requests/{request_id}/reply/check", {"action": "refuse"})
    assert refused.url.path == f"/requests/{request_id}"
    assert "Nothing was logged, and the reply was not kept." in words(refused.text)
    assert events_of(request_id) == [] and kept(requests_folder) == []
    # The reply is forgotten: the check page sends her back to paste one
    again = family.get(f"/requests/{request_id}/reply/check")
    assert again.url.path == f"/requests/{request_id}/answered"


def test_every_event_refused_logs_nothing(family: Visitor, requests_folder: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2023-11-30", "2023-12-06")
    paste(family, request_id, "city_ack_sunday_night.txt")
    done = family.post(f"/requests/{request_id}/reply/check",
                       {"kind": "acknowledgment", "do-0": "no", "on-0": "2023-12-03",
                        "action": "log"})
    assert "Nothing was logged" in words(done.text)
    assert events_of(request_id) == [] and kept(requests_folder) == []


def test_a_wrong_date_is_said_beside_its_field(family: Visitor, requests_folder: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2023-11-30", "2023-12-06")
    paste(family, request_id, "city_ack_sunday_night.txt")
    wrong = family.post(f"/requests/{request_id}/reply/check",
                        {"kind": "acknowledgment", "do-0": "yes", "on-0": "3 Dec",
                         "action": "log"})
    assert wrong.status_code == 400 and 'href="#f-on-0"' in wrong.text
    assert 'id="f-on-0-error"' in wrong.text
    assert events_of(request_id) == [] and kept(requests_folder) == []


def test_nothing_pasted_nor_chosen_is_said(family: Visitor,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2023-11-30", "2023-12-06")
    family.get(f"/requests/{request_id}")
    empty = family.client.post(f"/requests/{request_id}/reply",
                               data={"csrf": family.csrf, "text": "  "},
                               files={"file": ("", b"", "application/octet-stream")})
    assert empty.status_code == 400 and 'href="#f-text"' in empty.text
    wrong = upload(family, request_id, "reply.pdf", b"%PDF-1.4")
    assert wrong.status_code == 400 and 'href="#f-file"' in wrong.text


def test_a_post_without_the_csrf_token_logs_nothing(family: Visitor, requests_folder: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2023-11-30", "2023-12-06")
    text = (REPLIES / "city_ack_sunday_night.txt").read_text(encoding="utf-8")
    refused = family.client.post(f"/requests/{request_id}/reply", data={"text": text},
                                 files={"file": ("", b"", "application/octet-stream")})
    assert refused.status_code == 403
    paste(family, request_id, "city_ack_sunday_night.txt")
    forged = family.client.post(f"/requests/{request_id}/reply/check",
                                data={"csrf": "forged", "kind": "acknowledgment",
                                      "do-0": "yes", "on-0": "2023-12-03", "action": "log"})
    assert forged.status_code == 403
    assert events_of(request_id) == [] and kept(requests_folder) == []


def test_an_oversized_upload_is_refused_and_logs_nothing(
        family: Visitor, requests_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2024-04-24", "2024-05-09")
    monkeypatch.setenv("RECORDSKIT_MAX_WEB_BODY_BYTES", "5000")
    monkeypatch.setenv("RECORDSKIT_MAX_REPLY_BYTES", "4000")
    email = (REPLIES / "extension_bpd.eml").read_bytes()
    # Past what the guard lets through: refused before it is read
    huge = upload(family, request_id, "extension_bpd.eml", email + b"x" * 12_000)
    assert huge.status_code == 413
    # Through the guard, past the reply limit: the service's own limit says no
    big = upload(family, request_id, "extension_bpd.eml", email + b"x" * 4_500)
    assert big.status_code == 400 and 'href="#f-file"' in big.text
    assert "4000" in words(big.text) or "4,000" in words(big.text)
    assert events_of(request_id) == [] and kept(requests_folder) == []
    # A form elsewhere keeps the form limit
    other = family.client.post("/new", data={"csrf": family.csrf, "kind": "x" * 6000})
    assert other.status_code == 413


def test_a_reference_number_logged_on_another_request_is_said(
        family: Visitor, requests_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = request_sent(family, monkeypatch, "2023-11-30", "2023-12-06")
    paste(family, first, "city_ack_sunday_night.txt")
    family.post(f"/requests/{first}/reply/check",
                {"kind": "acknowledgment", "do-0": "yes", "on-0": "2023-12-03",
                 "action": "log"})
    second = request_sent(family, monkeypatch, "2023-11-29", "2023-12-06")
    assert second != first
    shown = paste(family, second, "city_ack_sunday_night.txt")
    said = words(shown.text)
    assert "R004372-120323 is logged on another request" in said
    assert first not in said  # never another request's number


def test_she_changes_the_kind_and_the_amount(family: Visitor, requests_folder: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = request_sent(family, monkeypatch, "2025-02-05", "2025-02-21")
    upload(family, request_id, "denied_exemptions.eml")
    changed = family.post(f"/requests/{request_id}/reply/check",
                          {"kind": "fee_estimate", "action": "log"})
    assert changed.url.path.endswith("/reply/check")  # asked again, nothing logged
    assert events_of(request_id) == []
    assert re.search(r'value="fee_estimate" checked', changed.text)
    number = re.search(r'name="amount-(\d)"', changed.text)
    assert number
    on = re.search(rf'name="on-{number.group(1)}" value="([0-9-]+)"', changed.text)
    assert on
    done = family.post(f"/requests/{request_id}/reply/check",
                       {"kind": "fee_estimate", "action": "log", f"do-{number.group(1)}": "yes",
                        f"on-{number.group(1)}": on.group(1),
                        f"amount-{number.group(1)}": "$1,250.50"})
    assert done.url.path == f"/requests/{request_id}", words(done.text)[:1500]
    logged = open_log().get(request_id).events
    assert [(str(e.event), str(getattr(e.details, "kind", "")), getattr(e.details, "amount", ""))
            for e in logged if str(e.event) == "response"] == [
        ("response", "fee_estimate", "1250.50")]
