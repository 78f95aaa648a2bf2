from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from appui.core.enums import DAC_STAFF_ROLES, Role
from appui.core.models import PersonalDataModel, TimeStampedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(PersonalDataModel, AbstractBaseUser, PermissionsMixin):
    """A person who logs in: DAC staff, partner professionals, regional pilots (login by e-mail).

    Designed so that an external identity (Pro Santé Connect, OpenID Connect) can be attached
    later: `oidc_subject` holds the provider's stable subject identifier.
    """

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    oidc_subject = models.CharField(
        "identifiant OpenID Connect", max_length=255, blank=True, null=True, unique=True
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Membership(TimeStampedModel):
    """A user's role in one organisation. Deactivated (with an end date), never deleted."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        "territory.Organisation", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=40, choices=Role.choices)
    is_active = models.BooleanField("actif", default=True)
    start_date = models.DateField("début", default=timezone.localdate)
    end_date = models.DateField("fin", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=255, blank=True)

    class Meta:
        verbose_name = "rattachement"
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(is_active=True),
                name="unique_active_membership",
            )
        ]
        indexes = [models.Index(fields=["organisation", "role", "is_active"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"

    @property
    def is_dac_staff(self) -> bool:
        return self.role in DAC_STAFF_ROLES
