"""The ideal buyer profile's page (everyone reads it; Marketing proposes, an admin decides), and the
deal page's buying committee and qualification forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assets.models import BuyerRole, FunnelStage
from config.error_pages import refused_unless
from enablement.buyers import selectors, services
from enablement.buyers.forms import DealRoleForm, DecisionForm, ProfileForm, QualificationForm
from enablement.buyers.models import BuyerProfile, DealRole
from enablement.deals.selectors import deals_visible_to
from enablement.form_messages import form_errors, messages_from


def _profile_form(data=None) -> ProfileForm:
    current = selectors.latest_profile()
    return ProfileForm(
        data,
        initial=ProfileForm.initial_from(current),
        stages=list(FunnelStage.objects.open()),
        roles=list(BuyerRole.objects.all()),
    )


@login_required
def profile_page(request: HttpRequest) -> HttpResponse:
    pending = list(selectors.pending_profiles())
    for proposal in pending:  # said on the page instead of an Approve button that would be refused
        proposal.approval_refusal = services.self_approval_refusal(profile=proposal, by=request.user)
    context = {
        "profile": services.current_profile(),
        "pending": pending,
        "history": selectors.profile_history(),
        "fit": selectors.fit_summary(),
        "decision_form": DecisionForm(),
    }
    return render(request, "buyers/profile.html", context)


@login_required
@refused_unless(
    "enablement.add_buyerprofile",
    page="Proposing a new version of the ideal buyer profile is how marketing changes who we sell to.",
    who="marketing",
)
def profile_propose(request: HttpRequest) -> HttpResponse:
    form = _profile_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_propose(by=request.user, **form.proposal())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Version {profile.version} is proposed; an admin approves it.")
            return redirect("buyer-profile")
    return render(request, "buyers/propose.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@refused_unless(
    "enablement.approve_buyerprofile",
    page="Approving or rejecting a proposed ideal buyer profile decides who everyone sells to.",
    who="administrators",
)
@require_POST
def profile_decide(request: HttpRequest, version: int, decision: str) -> HttpResponse:
    profile = get_object_or_404(BuyerProfile, version=version)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("buyer-profile")
    decide = services.profile_approve if decision == "approve" else services.profile_reject
    try:
        decide(profile=profile, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages_from(request, exc)
    else:
        done = "approved: every deal is scored against it" if decision == "approve" else "rejected"
        messages.success(request, f"Version {profile.version} is {done}.")
    return redirect("buyer-profile")


@login_required
@require_POST
def deal_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(deals_visible_to(request.user), pk=pk)
    form = DealRoleForm(request.POST)
    if form.is_valid():
        member, created = services.deal_role_add(deal=deal, by=request.user, **form.cleaned_data)
        said = "is now" if created else "was already"
        messages.success(request, f"{member.role.name} {said} on the buying committee.")
    else:
        form_errors(request, form)
    return redirect("deal-detail", pk=deal.pk)


@login_required
@require_POST
def deal_role_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    deal = get_object_or_404(deals_visible_to(request.user), pk=pk)
    member = get_object_or_404(DealRole.objects.select_related("role"), pk=member_id, deal=deal)
    services.deal_role_remove(member=member)
    messages.success(request, f"{member.role.name} is off the buying committee.")
    return redirect("deal-detail", pk=deal.pk)


@login_required
@require_POST
def qualification_save(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(deals_visible_to(request.user), pk=pk)
    form = QualificationForm(request.POST)
    if form.is_valid():
        services.qualification_set(deal=deal, by=request.user, **form.ratings())
        messages.success(request, "Qualification saved.")
    else:
        form_errors(request, form)
    return redirect("deal-detail", pk=deal.pk)
