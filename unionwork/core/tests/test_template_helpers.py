"""The template helpers that replace Django's own on every page: the same output, less work."""

import datetime

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, path, register_converter, reverse
from django.utils import timezone

from unionwork.core import reversing
from unionwork.core.reversing import reverse_kept


def _view(request, *args, **kwargs):  # pragma: no cover - only reversed, never called
    raise AssertionError


class PaddedConverter:
    """A converter that changes the value: pasting the argument in would be wrong."""

    regex = "[0-9]+"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:08d}"


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(PaddedConverter, "padded")
register_converter(YearConverter, "yyyy")

urlpatterns = [
    path("plain/", _view, name="plain"),
    path("m/<int:pk>/", _view, name="one"),
    path("m/<int:pk>/x/<int:other>/edit/", _view, name="two"),
    path("p/<padded:pk>/", _view, name="padded"),
    path("y/<yyyy:year>/", _view, name="year"),
    path("s/<str:code>/", _view, name="code"),
]


@pytest.fixture
def urls():
    with override_settings(ROOT_URLCONF=__name__):
        yield
    reversing._kept.clear()


@pytest.mark.parametrize("name,args", [
    ("plain", ()), ("one", (5,)), ("one", (0,)), ("one", (123456789012,)), ("two", (7, 31)), ("padded", (5,)),
    ("year", (2026,)), ("code", (12,))])
def test_kept_reversal_is_django_reversal(urls, name, args):
    for _ in range(3):  # the first call learns, the next ones paste
        assert reverse_kept(name, args=args) == reverse(name, args=args)


def test_a_converter_that_refuses_or_pads_is_never_pasted(urls):
    assert reverse_kept("padded", args=(42,)) == "/p/00000042/"
    with pytest.raises(NoReverseMatch):
        reverse_kept("year", args=(12345,))  # five digits: Django refuses it, so must we
    with pytest.raises(NoReverseMatch):
        reverse_kept("one", args=(-1,))
    with pytest.raises(NoReverseMatch):
        reverse_kept("missing")
    assert reverse_kept("code", args=("a b",)) == reverse("code", args=("a b",))  # strings are quoted by Django


def test_a_new_url_configuration_is_not_answered_from_the_old(urls):
    assert reverse_kept("one", args=(3,)) == "/m/3/"
    with override_settings(ROOT_URLCONF="unionwork.urls"):
        assert reverse_kept("directory:member_detail", args=(3,)) == reverse("directory:member_detail", args=(3,))
        with pytest.raises(NoReverseMatch):
            reverse_kept("one", args=(3,))


def test_url_tag_and_date_filter_match_django():
    tpl = engines["django"].from_string(
        "{% url 'directory:member_detail' pk %}|{% url 'home' as home %}{{ home }}|{{ d|date:'Y-m-d' }}|"
        "{{ t|date:'Y-m-d H:i' }}|{{ t|date:'Y-m-d' }}|{{ t|date:'m-d H:i' }}|{{ none|date:'Y-m-d' }}")
    moment = datetime.datetime(2026, 3, 5, 23, 30, tzinfo=datetime.UTC)  # 07:30 the next day in Shanghai
    out = tpl.render({"pk": 17, "d": datetime.date(2019, 3, 5), "t": moment, "none": None})
    assert out == "/directory/members/17/|/|2019-03-05|2026-03-06 07:30|2026-03-06|03-06 07:30|"
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


@pytest.mark.django_db
def test_filter_bar_marks_the_chosen_filters(world, login):
    client = login(world.district_admin)
    html = client.get("/directory/members/", {"q": "王<伟", "gender": "F", "node": world.comm_b.pk}).content.decode()
    assert 'name="q" id="id_q" value="王&lt;伟"' in html  # escaped, never raw
    assert '<option value="F" selected>' in html and '<option value="M" >' in html
    # The options are kept per selected value (uw._choice_options): the next choice is marked, not the last.
    again = client.get("/directory/members/", {"gender": "M"}).content.decode()
    assert '<option value="M" selected>' in again and '<option value="F" >' in again
    label = world.comm_b.union_name or world.comm_b.name
    assert f'<option value="{world.comm_b.pk}" selected>\u3000{label}</option>' in html  # a community, indented
    assert f'<option value="{world.street2.pk}" >{world.street2.union_name or world.street2.name}</option>' in html
    # A street cadre is offered their own street's areas only.
    html = login(world.street_cadre).get("/directory/members/").content.decode()
    assert f'value="{world.comm_a.pk}"' in html and f'value="{world.comm_c.pk}"' not in html
    # A union given by a link is a hidden filter with its badge, not a select.
    html = client.get("/directory/members/", {"union": world.union_a2.pk}).content.decode()
    assert f'<input type="hidden" name="union" value="{world.union_a2.pk}">' in html and "已按" in html


@pytest.mark.django_db
def test_a_free_text_filter_is_a_text_box(world, login):
    # 走访 by quarter: a text filter, which the bar used to draw as an empty drop-down.
    html = login(world.cadre_a).get("/labour/visits/", {"quarter": "2026Q1"}).content.decode()
    assert ('<input type="text" name="quarter" id="id_quarter" value="2026Q1" placeholder="如 2026Q1"' in html)
    assert 'name="quarter" id="id_quarter" class="form-select' not in html


@pytest.mark.django_db
def test_the_area_select_follows_new_areas(world, login):
    from unionwork.org.choices import NodeKind
    from unionwork.org.services import create_node

    client = login(world.street_cadre)
    assert "新建测试社区" not in client.get("/directory/enterprises/").content.decode()  # the areas are now kept
    create_node(world.district_admin, kind=NodeKind.COMMUNITY, name="新建测试社区", code="D1-S1-Z", parent=world.street1)
    assert "新建测试社区" in client.get("/directory/enterprises/").content.decode()
    # Another street's cadre still does not see it.
    other = create_node(world.district_admin, kind=NodeKind.COMMUNITY, name="别处社区", code="D1-S2-Z",
                        parent=world.street2)
    assert other.name not in client.get("/directory/enterprises/").content.decode()
