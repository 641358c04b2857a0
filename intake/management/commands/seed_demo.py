"""Create the demo groups and accounts for trying the app locally; safe to run again."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from intake import demo
from intake.enums import Role
from intake.roles import apply_role_permissions

# Published in the README on purpose: these accounts exist only on demo databases.
DEMO_PASSWORD = "demo-pass-1234"  # noqa: S105  # nosec B105
DEMO_SITE = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Create the role groups and the demo users 'practitioner', 'practitioner2', 'admin' "
        f"and 'auditor' (password {DEMO_PASSWORD}). Running it again resets them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo password is public: never on a live site.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it runs only with "
                "DEBUG=true (or --force on a database that is not a live clinic's)."
            )
        with transaction.atomic():
            apply_role_permissions(Group, Permission)
            practitioner = _demo_user("practitioner", is_superuser=False)
            practitioner.groups.add(Group.objects.get(name=Role.PRACTITIONER))
            # A colleague, so that the queue has cases assigned to someone else.
            colleague = _demo_user("practitioner2", is_superuser=False)
            colleague.groups.add(Group.objects.get(name=Role.PRACTITIONER))
            # The roles as a clinic would give them: no superuser, so the demo shows what each
            # role itself may do.
            admin = _demo_user("admin", is_superuser=False)
            admin.groups.add(Group.objects.get(name=Role.CLINIC_ADMIN))
            auditor = _demo_user("auditor", is_superuser=False)
            auditor.groups.add(Group.objects.get(name=Role.AUDITOR))
            link, born = demo.seed(created_by=practitioner, colleague=colleague)
            # Codes only for an account that has none yet (the first run): new codes on every
            # run would make the ones people were given stop working. `demo_codes` prints more.
            codes = {
                user.username: demo.sign_in_codes(user=user)
                for user in (practitioner, colleague, admin, auditor)
                if not demo.has_sign_in_codes(user=user)
            }

        login_url = DEMO_SITE + reverse("login")
        self.stdout.write(
            f"Demo data ready. Try the patient's questionnaire: {DEMO_SITE}{link} "
            f"(date of birth {born.isoformat()}, asked when the link is opened in another "
            "browser)"
        )
        self.stdout.write(f"Staff sign in at {login_url}")
        self.stdout.write(f"  practitioner / {DEMO_PASSWORD}  (a practitioner)")
        self.stdout.write(f"  practitioner2 / {DEMO_PASSWORD}  (a second practitioner)")
        self.stdout.write(f"  admin / {DEMO_PASSWORD}  (a clinic admin: also the admin at /admin/)")
        self.stdout.write(f"  auditor / {DEMO_PASSWORD}  (an auditor: the audit log only)")
        if codes:
            self.stdout.write("Second step: one-time codes (each works once)")
            for username, user_codes in codes.items():
                self.stdout.write(f"  {username}: {' '.join(user_codes)}")
        if len(codes) < len(demo.DEMO_ACCOUNTS):
            self.stdout.write(
                "Second step: the one-time codes printed the first time still work; for new "
                "ones run: python manage.py demo_codes"
            )


def _demo_user(username: str, *, is_superuser: bool) -> AbstractUser:
    """The demo account as it should be. Saved only where it differs: a new password hash
    (set_password salts afresh) would sign out everyone using the account."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    wanted = {"is_active": True, "is_staff": True, "is_superuser": is_superuser}
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return user
