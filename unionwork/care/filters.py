import django_filters as df
from django.utils import timezone

from unionwork.core.filters import record_filter

from .models import HardshipFile


class HardshipFilter(record_filter(HardshipFile, "filed_on", ("person_name", "enterprise_name"),
                                   ("category", "status", "main_cause"))):
    review = df.ChoiceFilter(label="复核", choices=[("overdue", "复核逾期")], empty_label="全部", method="filter_review")

    class Meta:
        model = HardshipFile
        fields = []

    def filter_review(self, qs, name, value):
        return qs.filter(status="active", next_review_on__lt=timezone.localdate())
