"""The record kinds' API (core/kind_api.py) with JSON bodies a form never posts: lists, objects,
numbers and booleans where the form's fields expect text (found by test_api_fuzz.py).

Before: AttributeError ('list' / 'dict' / 'int' / 'bool' object has no attribute 'strip') inside the
form field, answered 500. Now 422 with the field and a Chinese message, or the value parsed as a form
would parse its text.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from unionwork.core.kinds import REGISTRY, all_kinds

D = datetime.date
SINGLE = "应为单个值（文字、数字、日期或 true/false），不能是列表或对象"


@pytest.fixture
def contract(world):
    all_kinds()
    return REGISTRY["contracts"].service.create(world.district_admin, {
        "title": "工资专项集体合同", "kind": "wage", "reach": "enterprise", "union": world.union_a,
        "enterprises": [world.ent_a], "signed_on": D(2025, 1, 10), "effective_from": D(2025, 1, 10),
        "effective_to": D(2027, 1, 9), "covered_employees": 30, "filing_status": "not_filed"})


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def test_create_with_a_list_or_an_object_for_one_value_is_422(world, api):
    r = _post(api(world.district_admin), "/api/v1/labour/contracts",
              {"title": {"text": "合同"}, "signed_on": ["2025-01-10"], "effective_to": [None, None]})
    assert r.status_code == 422, r.content
    assert r.json()["detail"] == "数据校验未通过"
    errors = r.json()["errors"]
    assert errors["title"] == [SINGLE]
    assert errors["signed_on"] == [SINGLE]
    assert errors["effective_to"] == [SINGLE]


def test_numbers_and_booleans_for_a_date_are_invalid_dates_not_500(world, api, contract):
    client = api(world.district_admin)
    r = _patch(client, f"/api/v1/labour/contracts/{contract.pk}", {"signed_on": 20250110})
    assert r.status_code == 422, r.content
    assert "signed_on" in r.json()["errors"]
    r = _patch(client, f"/api/v1/labour/contracts/{contract.pk}", {"effective_to": True, "covered_employees": 1.5})
    assert r.status_code == 422, r.content
    assert set(r.json()["errors"]) == {"effective_to", "covered_employees"}


def test_many_to_many_takes_a_list_of_ids_only(world, api, contract):
    r = _patch(api(world.district_admin), f"/api/v1/labour/contracts/{contract.pk}",
               {"enterprises_ids": [{"id": world.ent_a.pk}]})
    assert r.status_code == 422, r.content
    assert r.json()["errors"]["enterprises_ids"] == ["应为记录 id 的列表，例如 [1, 2]"]


def test_json_numbers_and_ids_are_still_parsed_as_the_form_parses_text(world, api, contract):
    r = _patch(api(world.district_admin), f"/api/v1/labour/contracts/{contract.pk}",
               {"covered_employees": 45, "wage_increase": 5.5, "union_id": world.union_a.pk,
                "enterprises_ids": [world.ent_a.pk]})
    assert r.status_code == 200, r.content
    contract.refresh_from_db()
    assert contract.covered_employees == 45
    assert str(contract.wage_increase) in ("5.5", "5.50")
    # the ids reach the service's rules
    r = _patch(api(world.district_admin), f"/api/v1/labour/contracts/{contract.pk}",
               {"enterprises_ids": [world.ent_a.pk, world.ent_a2.pk]})
    assert r.status_code == 422, r.content
    assert r.json()["errors"]["enterprises"] == ["单个企业的集体合同应选择且只选择一家覆盖企业"]


def test_child_entry_with_an_object_is_422_and_booleans_keep_their_meaning(world, api, contract):
    client = api(world.district_admin)
    url = f"/api/v1/labour/contracts/{contract.pk}"
    r = _post(client, f"{url}/rounds", {"held_on": {"date": "2025-01-02"}, "summary": "第一轮"})
    assert r.status_code == 422, r.content
    assert r.json()["errors"]["held_on"] == [SINGLE]

    for compliant in (False, True):
        r = _post(client, f"{url}/checks", {"checked_on": "2025-06-01", "findings": "按时足额发放", "compliant": compliant})
        assert r.status_code == 201, r.content
        assert r.json()["checks"][-1]["compliant"] is compliant


def test_record_with_an_attachment_is_served_as_json(world, api, settings, tmp_path):
    """An attachment's FieldFile made the detail and the list 500 (not JSON serializable); it is now
    the link of the page that serves the file within scope."""
    settings.MEDIA_ROOT = tmp_path
    all_kinds()
    kind = REGISTRY["activities"]
    activity = kind.service.create(world.district_admin, {
        "kind": "study", "title": "学习会", "starts_on": D(2025, 3, 1), "union": world.union_a,
        "participants": 20, "node": world.comm_a})
    activity.attachments.create(file=SimpleUploadedFile("合影.jpg", b"\xff\xd8\xff\xe0 photo"), caption="合影")
    client = api(world.cadre_a)
    r = client.get(f"/api/v1/activities/activities/{activity.pk}")
    assert r.status_code == 200, r.content
    entry = r.json()["attachments"][0]
    assert entry["file"] == kind.url("child_file", activity.pk, "attachments", entry["id"])
    assert entry["caption"] == "合影"
    assert client.get(entry["file"]).status_code in (200, 302)  # the page itself (302: API token is no session)
    r = client.get("/api/v1/activities/activities")
    assert r.status_code == 200, r.content
