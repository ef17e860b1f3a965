"""Registering a record through its page (登记) saves it: the form's POST answers with the new record."""

from unionwork.activities.models import Activity
from unionwork.labour.models import Visit


def test_an_activity_registered_on_its_page_is_saved(world, login):
    response = login(world.cadre_a).post("/activities/activities/new/", {
        "kind": "study", "title": "学习二十届三中全会精神", "starts_on": "2026-05-06", "participants": "12",
        "person_times": "12", "node": "", "note": ""})
    activity = Activity.objects.get(title="学习二十届三中全会精神")
    assert response.status_code == 302 and response["Location"] == f"/activities/activities/{activity.pk}/"
    assert activity.node == world.comm_a and activity.created_by == world.cadre_a


def test_a_visit_to_an_enterprise_in_scope_is_saved(world, login):
    response = login(world.cadre_a).post("/labour/visits/new/", {
        "enterprise": world.ent_a.pk, "visited_on": "2026-02-01", "visitors": "王", "problems": "", "quarter": "",
        "purpose": "了解用工情况", "node": "", "note": ""})
    visit = Visit.objects.get(enterprise=world.ent_a, purpose="了解用工情况")
    assert response.status_code == 302 and response["Location"].endswith(f"/{visit.pk}/")
    assert visit.created_by == world.cadre_a
