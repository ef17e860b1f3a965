from django.shortcuts import render
from django.utils import timezone

from unionwork.core.params import year_param

from . import selectors
from .kinds import KINDS


def overview(request):
    year = year_param(request, timezone.localdate().year)
    user = request.user
    return render(request, "activities/overview.html", {
        "kinds": KINDS, "year": year, "info": selectors.info_adoption(user, year),
        "activity": selectors.activity_totals(user, year), "cadres": selectors.cadre_year_totals(user, year),
    })
