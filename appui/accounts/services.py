"""Account state changes: one function per transition, each checked, recorded and atomic."""

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils import timezone

from appui.core.models import record_event
from appui.core.permissions import require

from .models import Membership, User


@transaction.atomic
def invite_user(
    actor_membership, *, email, first_name, last_name, organisation, role, request=None
):
    """Create an account without a password and e-mail a one-time link to choose it."""
    require(actor_membership, "account", "create")
    user = User.objects.create_user(
        email=email, first_name=first_name, last_name=last_name, password=None
    )
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    record_event(user, "invited", organisation_id=organisation.pk, role=role)
    record_event(membership, "membership_started", role=role)
    transaction.on_commit(lambda: send_invitation(user, request))
    return user


def send_invitation(user, request=None):
    form = PasswordResetForm({"email": user.email})
    form.is_valid()
    # Django's reset form skips users without a usable password: send to this one explicitly.
    form.get_users = lambda email: [user]
    form.save(
        request=request,
        use_https=bool(request and request.is_secure()),
        subject_template_name="accounts/invitation_subject.txt",
        email_template_name="accounts/invitation_email.txt",
        domain_override=None if request else "appui.invalid",
    )


@transaction.atomic
def add_membership(actor_membership, user, *, organisation, role):
    require(actor_membership, "account", "change")
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, is_active=True
    )
    if created:
        record_event(membership, "membership_started", role=role)
    return membership, created


@transaction.atomic
def end_membership(actor_membership, membership, *, reason):
    """A membership is ended (date and reason), never deleted."""
    require(actor_membership, "account", "change")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        return membership
    membership.is_active = False
    membership.end_date = timezone.localdate()
    membership.end_reason = reason
    membership.save(
        update_fields=["is_active", "end_date", "end_reason", "updated_at", "updated_by"]
    )
    record_event(membership, "membership_ended", reason=reason)
    return membership


@transaction.atomic
def create_partner_account(
    *, email, first_name, last_name, password, professional, organisation, oidc_subject=None
):
    """Create the account of an external professional who accepted an invitation: the user (the
    e-mail the DAC invited), tied to their directory record (RPPS), with a partner membership in
    the structure where they practise.

    Designed for a future external identity (Pro Santé Connect, OpenID Connect): pass
    `oidc_subject` and no password (the account then has no usable password), or attach the
    subject later on `User.oidc_subject`; nothing else changes.
    """
    from django.core.exceptions import ValidationError

    from appui.core.enums import Role

    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse."})
    if professional.user_id is not None:
        raise ValidationError("Ce professionnel a déjà un compte Appui.")
    user = User.objects.create_user(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        password=password,
        oidc_subject=oidc_subject or None,
    )
    professional.user = user
    professional.save(update_fields=["user", "updated_at"])
    membership = Membership.objects.create(user=user, organisation=organisation, role=Role.PARTNER)
    record_event(user, "partner_account_created", actor=user, professional=professional.pk)
    record_event(membership, "membership_started", actor=user, role=Role.PARTNER)
    return user
