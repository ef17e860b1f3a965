from django.shortcuts import render
from django.utils import timezone

from . import selectors
from .kinds import KINDS


def overview(request):
    year = int(request.GET.get("year") or timezone.localdate().year)
    user = request.user
    return render(request, "activities/overview.html", {
        "kinds": KINDS, "year": year, "info": selectors.info_adoption(user, year),
        "activity": selectors.activity_totals(user, year), "cadres": selectors.cadre_year_totals(user, year),
    })
