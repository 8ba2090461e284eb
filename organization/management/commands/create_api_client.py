from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organization import services
from organization.models import ApiScope, Department


class Command(BaseCommand):
    help = "Create an API client for an internal system. Prints its token alone on the last line (shown once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--scopes", default="read", help="Comma-separated: read, write (default: read).")
        parser.add_argument("--department", default="", help="Owning department slug (default: the first one).")

    def handle(self, *args: Any, name: str, scopes: str, department: str, **options: Any) -> None:
        wanted = {s.strip() for s in scopes.split(",") if s.strip()}
        unknown = wanted - set(ApiScope.values)
        if unknown or not wanted:
            raise CommandError(f"--scopes takes read and/or write, not {', '.join(sorted(unknown)) or 'nothing'}")
        owner = Department.objects.filter(slug=department).first() if department else Department.objects.first()
        if owner is None:
            raise CommandError(
                f"No department {department!r}" if department else "No department exists yet: run seed_demo first"
            )
        try:
            client, token = services.create_api_client(
                name=name, department=owner, can_read=ApiScope.READ in wanted, can_write=ApiScope.WRITE in wanted
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(f"Created API client {client.name!r} ({', '.join(client.scopes)}) for {owner}.")
        self.stdout.write(token)
