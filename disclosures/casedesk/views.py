"""Thin public views: /cases/lookup/ (办件查询) and /cases/rate/ (好差评)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from ..feedback import guard
from . import service
from .forms import CaseKeyForm, RatingForm


def _find(request, form):
    """The case for valid keys, or None with the form's error set; an HttpResponse when limited."""
    case_no = form.cleaned_data["case_no"]
    if guard.key_blocked(case_no):
        return guard.too_many(request, guard.limit("lookup-key")[1])
    case = service.find_case(case_no, form.cleaned_data["last4"])
    if case is None:
        guard.key_failed(request, case_no)
        form.add_error(None, _("没有找到对应的办件，请核对办件编号和电话后四位。未登记电话的办件请到窗口查询。"))
    return case


def _posted_case(request, form, act):
    """Check the limits and the keys of a posted case form, then run `act(case, form)`.

    Returns (result, response): a response when the visitor is rate-limited, otherwise the result
    of `act` (None when the form or the keys are wrong; the form then carries the error).
    """
    retry_after = guard.over_limit(request, "lookup")
    if retry_after:
        return None, guard.too_many(request, retry_after)
    if not form.is_valid():
        return None, None
    case = _find(request, form)
    if case is None:
        return None, None
    if not isinstance(case, service.Case):
        return None, case
    return act(case, form), None


def _rate(case, form):
    try:
        return service.rate(case, form.cleaned_data["level"], form.cleaned_data["comment"])
    except service.RatingError as exc:
        form.add_error(None, str(exc))
        return None


@never_cache
@csrf_protect
def case_lookup(request):
    result, status = None, 200
    if request.method == "POST":
        form = CaseKeyForm(request.POST)
        result, response = _posted_case(request, form, lambda case, _form: service.progress(case))
        if response is not None:
            return response
        status = 200 if result else 400
    else:
        form = CaseKeyForm()
    return render(request, "disclosures/cases/lookup.html", {"form": form, "result": result}, status=status)


@never_cache
@csrf_protect
def case_rate(request):
    rating, status = None, 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        rating, response = _posted_case(request, form, _rate)
        if response is not None:
            return response
        status = 200 if rating else 400
    else:
        form = RatingForm(initial={"case_no": request.GET.get("case_no", "")[:64]})
    return render(request, "disclosures/cases/rate.html", {"form": form, "rating": rating}, status=status)
