from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organization import services
from organization.models import ApiScope, Department


class Command(BaseCommand):
    help = (
        "Create an API client for an internal system, owned by a department (--department SLUG; default: the "
        "first by name). Says which department on stderr; prints the token alone on the last line (shown once)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--scopes", default="read", help="Comma-separated: read, write (default: read).")
        parser.add_argument(
            "--department", default="", help="The owning department's slug (default: the first by name)."
        )

    def handle(self, *args: Any, name: str, scopes: str, department: str, **options: Any) -> None:
        wanted = {s.strip() for s in scopes.split(",") if s.strip()}
        unknown = wanted - set(ApiScope.values)
        if unknown or not wanted:
            raise CommandError(f"--scopes takes read and/or write, not {', '.join(sorted(unknown)) or 'nothing'}")
        slugs = list(Department.objects.order_by("name").values_list("slug", flat=True))
        if not slugs:
            raise CommandError("No department exists yet: run `manage.py seed_demo` or add one in the admin first")
        if department and department not in slugs:
            raise CommandError(f"No department {department!r}; --department takes one of: {', '.join(slugs)}")
        owner = Department.objects.get(slug=department or slugs[0])
        try:
            client, token = services.create_api_client(
                name=name, department=owner, can_read=ApiScope.READ in wanted, can_write=ApiScope.WRITE in wanted
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Created API client {client.name!r} ({', '.join(client.scopes)}), belonging to the {owner.name} "
            f"department ({owner.slug})"
            + ("." if department else f": the first by name; --department picks another ({', '.join(slugs)}).")
        )
        self.stdout.write(token)
