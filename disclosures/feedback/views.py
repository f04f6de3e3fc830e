"""Thin public views: /feedback/new/, /feedback/receipt/, /feedback/lookup/."""

from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from . import guard, service
from .forms import FeedbackForm, LookupForm
from .targets import resolve_target

RECEIPT_SALT = "gongkai.feedback.receipt"


@never_cache
@csrf_protect
def feedback_new(request):
    target = resolve_target(request.GET)
    if target is None:
        return render(request, "disclosures/feedback/no_target.html", status=404)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        # Mistakes are cheap (a generous limit on posts); accepted submissions are few. Either way
        # the form comes back with what the visitor typed, never an empty page.
        retry_after = guard.over_limit(request, "feedback-attempt") or guard.submit_blocked(request)
        if retry_after:
            typed = {name: request.POST.get(name, "") for name in ("kind", "content", "contact_name", "contact_phone")}
            message = _("提交过于频繁，请 %(n)s 秒后再试。您填写的内容已保留。") % {"n": retry_after}
            context = {"form": FeedbackForm(initial=typed), "target": target, "form_message": message}
            response = render(request, "disclosures/feedback/new.html", context, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if form.is_valid():
            data = form.cleaned_data
            try:
                feedback = service.submit(
                    kind=data["kind"],
                    center=target.center,
                    department=target.department,
                    item=target.item,
                    subject=target.title,
                    content=data["content"].strip(),
                    contact_name=data["contact_name"].strip(),
                    contact_phone=data["contact_phone"],
                )
            except service.FeedbackError as exc:
                form.add_error(None, str(exc))
            else:
                guard.submit_accepted(request)
                token = signing.TimestampSigner(salt=RECEIPT_SALT).sign(feedback.receipt_no)
                return redirect(f"{reverse('feedback_receipt')}?{urlencode({'r': token})}")
        form.fresh_challenge()
        status = 400
    else:
        form = FeedbackForm(initial={"kind": request.GET.get("kind") or None})
        status = 200
    return render(request, "disclosures/feedback/new.html", {"form": form, "target": target}, status=status)


@never_cache
def feedback_receipt(request):
    try:
        receipt_no = signing.TimestampSigner(salt=RECEIPT_SALT).unsign(request.GET.get("r", ""), max_age=24 * 3600)
    except signing.BadSignature:
        return redirect("feedback_lookup")
    feedback = service.Feedback.objects.filter(receipt_no=receipt_no).select_related("department", "center").first()
    if feedback is None:
        return redirect("feedback_lookup")
    return render(request, "disclosures/feedback/receipt.html", {"feedback": feedback})


@never_cache
@csrf_protect
def feedback_lookup(request):
    feedback = None
    status = 200
    if request.method == "POST":
        retry_after = guard.over_limit(request, "lookup")
        if retry_after:
            return guard.too_many(request, retry_after)
        form = LookupForm(request.POST)
        if form.is_valid():
            receipt_no = form.cleaned_data["receipt_no"]
            if guard.key_blocked(receipt_no):
                return guard.too_many(request, guard.limit("lookup-key")[1])
            feedback = service.lookup(receipt_no, form.cleaned_data["last4"])
            if feedback is None:
                guard.key_failed(request, receipt_no)
                form.add_error(None, _("没有找到对应的记录，请核对受理编号和电话后四位。"))
        if feedback is None:
            status = 400
    else:
        form = LookupForm()
    events = list(feedback.events.select_related("department")) if feedback else []
    return render(
        request,
        "disclosures/feedback/lookup.html",
        {"form": form, "feedback": feedback, "events": events},
        status=status,
    )
