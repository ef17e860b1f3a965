"""Rules of activity and cadre-work records; writes are core.kinds.RecordService."""

import re

from django.core.exceptions import ValidationError

from unionwork.core.kinds import RecordService, not_future, raise_errors
from unionwork.core.scope import node_in_scope


def _quarter(e, obj):
    q = getattr(obj, "quarter", "")
    if q and not re.fullmatch(r"20\d\dQ[1-4]", q):
        e["quarter"] = ["计入季度应写作 2026Q1 这样的格式"]


class ActivityService(RecordService):
    def default_node(self, a, m2m):
        return a.union.node if a.union_id else None

    def validate(self, a, m2m):
        e = {}
        not_future(e, a, "starts_on")
        if a.ends_on and a.starts_on and a.ends_on < a.starts_on:
            e["ends_on"] = ["结束日期不能早于开始日期"]
        if a.participants and a.person_times and a.person_times < a.participants:
            e["person_times"] = [f"参加人次（{a.person_times}）不应少于参加人数（{a.participants}）"]
        raise_errors(e)

    def validate_child(self, a, entry):
        e = {}
        if hasattr(entry, "quantity") and entry.quantity is not None and entry.quantity <= 0:
            e["quantity"] = ["数量应大于0"]
        if hasattr(entry, "file") and entry.file and entry.file.size > 20 * 1024 * 1024:
            e["file"] = ["文件不能超过 20 MB"]
        raise_errors(e)


class FacilityService(RecordService):
    def default_node(self, f, m2m):
        return f.union.node if f.union_id else None

    def validate(self, f, m2m):
        e = {}
        not_future(e, f, "built_on")
        if f.cost is not None and f.cost < 0:
            e["cost"] = ["投入不能为负数"]
        raise_errors(e)


class TrainingService(RecordService):
    def validate(self, t, m2m):
        e = {}
        not_future(e, t, "held_on")
        if t.hours is not None and t.hours <= 0:
            e["hours"] = ["学时应大于0"]
        raise_errors(e)


class QuestionService(RecordService):
    def validate(self, q, m2m):
        e = {}
        if q.month and not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", q.month):
            e["month"] = ["月份应写作 2026-03 这样的格式"]
        not_future(e, q, "published_on")
        raise_errors(e)

    def validate_child(self, q, answer):
        e = {}
        if answer.score is not None and not 0 <= answer.score <= q.full_score:
            e["score"] = [f"得分应在 0 到 {q.full_score} 之间"]
        if answer.answered_on and answer.answered_on < q.published_on:
            e["answered_on"] = ["答题日期不能早于发布日期"]
        not_future(e, answer, "answered_on")
        raise_errors(e)

    def _check_cadre_node(self, user, entry):
        if user is not None and not node_in_scope(user, entry.cadre_node):
            raise ValidationError({"cadre_node": ["所在组织不在您的管辖范围内"]})

    def add_child(self, user, obj, child, data, source="web"):
        self._check_cadre_node(user, child.model(**data))
        return super().add_child(user, obj, child, data, source)


class TestService(QuestionService):
    def validate(self, t, m2m):
        e = {}
        not_future(e, t, "held_on")
        raise_errors(e)

    def validate_child(self, t, score):
        if score.score is not None and not 0 <= score.score <= t.full_score:
            raise ValidationError({"score": [f"成绩应在 0 到 {t.full_score} 之间"]})


class InfoService(RecordService):
    def validate(self, i, m2m):
        e = {}
        not_future(e, i, "reported_on")
        _quarter(e, i)
        if i.outlet and not i.adopted:
            e["adopted"] = ["填写了录用渠道的信息应标记为“被录用”"]
        raise_errors(e)


class BriefingService(RecordService):
    def validate(self, b, m2m):
        e = {}
        not_future(e, b, "published_on")
        raise_errors(e)


class ResearchService(RecordService):
    def default_node(self, r, m2m):
        return r.union.node if r.union_id else None

    def validate(self, r, m2m):
        e = {}
        not_future(e, r, "completed_on")
        _quarter(e, r)
        raise_errors(e)
