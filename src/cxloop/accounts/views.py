"""Login, workspace switching, the team page and personal API tokens. Thin: services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import LoginForm, TokenForm
from .middleware import SESSION_KEY
from .models import ApiToken, Membership, Role
from .permissions import require_role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
@require_POST
def switch_workspace(request: HttpRequest) -> HttpResponse:
    try:
        workspace_id = int(request.POST.get("workspace", ""))
    except ValueError:
        workspace_id = None
    membership = services.membership_for(request.user, workspace_id)
    if membership is None or membership.workspace_id != workspace_id:
        messages.error(request, _("You are not a member of that workspace."))
    else:
        request.session[SESSION_KEY] = workspace_id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target or "/")


@require_role(Role.VIEWER)
def members(request: HttpRequest) -> HttpResponse:
    people = Membership.objects.select_related("user", "department").order_by("role", "user__email")
    return render(
        request,
        "accounts/members.html",
        {"members": people, "roles": Role, "department_list": services.departments()},
    )


@require_role(Role.VIEWER)
def tokens(request: HttpRequest) -> HttpResponse:
    issued = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = services.issue_token(request.membership, form.cleaned_data["name"])
        form = TokenForm()
    own = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "issued": issued, "tokens": own})


@require_role(Role.VIEWER)
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=token_id)
    services.revoke_token(token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
