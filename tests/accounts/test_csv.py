from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts import csv_parsing, exports, imports, services, tasks
from accounts.models import Account, AccountImport, AccountTeamMember, CustomerContact
from organization.models import Role
from tests.factories import AccountFactory, SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNTS_HEADER = "name,external_id,segment,industry,region,status,owner_email,is_confidential,needs,wants\n"
CONTACTS_HEADER = "account_external_id,name,title,email,phone,buying_role,influence\n"


@pytest.fixture
def national(db: Any) -> Any:
    return SegmentFactory.create(name="National", slug="national")


def upload(client: Any, kind: str, content: str | bytes, name: str = "upload.csv") -> Any:
    data = content.encode() if isinstance(content, str) else content
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(reverse("accounts:import"), {"kind": kind, "file": file})


def latest_import() -> AccountImport:
    return AccountImport.objects.latest("id")


def confirm(client: Any, job: AccountImport) -> Any:
    return client.post(reverse("accounts:import-detail", args=[job.pk]))


def exported(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_a_dry_run_reports_each_bad_row_by_its_file_row_number_and_writes_nothing(
    client: Any, alice: Any, national: Any
) -> None:
    AccountFactory.create(name="Already here", external_id="ERP-1", segment=national, owner=alice)
    before = Account.objects.count()
    client.force_login(alice)
    response = upload(
        client,
        "accounts",
        ACCOUNTS_HEADER
        + "Good Co,ERP-2,national,Energy,North,active,alice@example.com,false,Uptime;Spares,Visits\n"  # row 2
        + ",ERP-3,national,,,,alice@example.com,,,\n"  # row 3: no name
        + "Nowhere Co,ERP-4,galactic,,,,alice@example.com,,,\n"  # row 4: unknown segment
        + "Twin Co,ERP-2,national,,,,alice@example.com,,,\n"  # row 5: ERP-2 is on row 2 too
        + "Clash Co,ERP-1,national,,,,alice@example.com,,,\n"  # row 6: ERP-1 is in the database
        + "Orphan Co,ERP-6,national,,,,nobody@example.com,,,\n"  # row 7: unknown owner
        + "Odd Co,ERP-7,national,,,sleeping,alice@example.com,maybe,,\n",  # row 8: bad status and flag
    )
    job = latest_import()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:import-detail", args=[job.pk])
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (3, "name"),
        (4, "segment"),
        (5, "external_id"),
        (6, "external_id"),
        (7, "owner_email"),
        (8, "status"),
        (8, "is_confidential"),
    }
    assert (job.status, job.row_count, job.invalid_rows, job.error_count) == ("invalid", 7, 6, 7)
    assert Account.objects.count() == before
    page = client.get(response["Location"]).content.decode()
    assert "There is no segment “galactic”" in page
    assert "Import 7 rows" not in page


def test_a_clean_file_imports_every_row_and_ranks_them(client: Any, alice: Any, erin: Any, national: Any) -> None:
    client.force_login(alice)
    upload(
        client,
        "accounts",
        ACCOUNTS_HEADER
        + "Alpha Foods,ERP-10,national,Food processing,North,prospect,alice@example.com,false,Uptime;Spares,Visits\n"
        + "Bravo Works,,national,,,,ERIN@example.com,true,,\n",
    )
    job = latest_import()
    assert job.status == "ready"
    assert Account.objects.count() == 0  # the dry run wrote nothing
    assert "Import 2 rows" in client.get(reverse("accounts:import-detail", args=[job.pk])).content.decode()

    confirm(client, job)

    job.refresh_from_db()
    assert (job.status, job.imported_rows, job.content) == ("done", 2, "")
    alpha = Account.objects.get(external_id="ERP-10")
    bravo = Account.objects.get(name="Bravo Works")
    assert (alpha.status, alpha.owner, alpha.needs, alpha.wants) == (
        "prospect",
        alice,
        ["Uptime", "Spares"],
        ["Visits"],
    )
    assert (bravo.external_id, bravo.owner, bravo.is_confidential, bravo.status) == (None, erin, True, "active")
    assert sorted(Account.objects.values_list("rank", flat=True)) == [1, 2]
    assert alpha.history.get().history_user == alice


def test_a_conflict_created_between_dry_run_and_confirmation_imports_nothing(
    client: Any, alice: Any, national: Any
) -> None:
    client.force_login(alice)
    upload(
        client,
        "accounts",
        ACCOUNTS_HEADER
        + "First Co,ERP-20,national,,,,alice@example.com,,,\n"
        + "Second Co,ERP-21,national,,,,alice@example.com,,,\n",
    )
    job = latest_import()
    assert job.status == "ready"
    AccountFactory.create(name="Someone else's", external_id="ERP-21", segment=national)

    confirm(client, job)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.errors == [
        {"row": 3, "column": "external_id", "message": "An account with external_id “ERP-21” already exists."}
    ]
    assert not Account.objects.filter(name__in=["First Co", "Second Co"]).exists()
    assert "nothing was imported" in client.get(reverse("accounts:import-detail", args=[job.pk])).content.decode()


def test_a_failure_after_rows_were_written_rolls_the_whole_file_back(
    client: Any, alice: Any, national: Any, monkeypatch: Any
) -> None:
    client.force_login(alice)
    upload(client, "accounts", ACCOUNTS_HEADER + "First Co,,national,,,,alice@example.com,,,\n")
    job = latest_import()

    def fail(**kwargs: Any) -> None:
        raise IntegrityError("simulated failure after the insert")

    monkeypatch.setattr(services, "recompute_priorities", fail)
    confirm(client, job)

    job.refresh_from_db()
    assert job.status == "failed"
    assert "simulated failure" in job.errors[0]["message"]
    assert Account.objects.count() == 0
    assert Account.history.count() == 0


def test_confirming_twice_imports_the_file_once(client: Any, alice: Any, national: Any) -> None:
    client.force_login(alice)
    upload(client, "accounts", ACCOUNTS_HEADER + "Only Once Co,,national,,,,alice@example.com,,,\n")
    job = latest_import()

    confirm(client, job)
    confirm(client, job)

    assert Account.objects.filter(name="Only Once Co").count() == 1


def test_a_contacts_file_adds_contacts_to_accounts_the_user_may_edit(client: Any, alice: Any, national: Any) -> None:
    own = AccountFactory.create(external_id="ERP-30", owner=alice, segment=national)
    shared = AccountFactory.create(external_id="ERP-31", segment=national)
    AccountTeamMember.objects.create(account=shared, user=alice, can_edit=True)
    client.force_login(alice)
    upload(
        client,
        "contacts",
        CONTACTS_HEADER
        + "ERP-30,Ana de Vries,CFO,ana@customer.example,+31 6 12345678,economic_buyer,5\n"
        + "ERP-31,Bram Jansen,,,,,\n",
    )
    job = latest_import()
    assert job.status == "ready"

    confirm(client, job)

    job.refresh_from_db()
    assert (job.status, job.imported_rows) == ("done", 2)
    ana = CustomerContact.objects.get(account=own)
    assert (ana.name, ana.email, ana.phone, ana.buying_role, ana.influence) == (
        "Ana de Vries",
        "ana@customer.example",
        "+31 6 12345678",
        "economic_buyer",
        5,
    )
    bram = CustomerContact.objects.get(account=shared)
    assert (bram.name, bram.buying_role, bram.influence) == ("Bram Jansen", "user", 3)


def test_a_contacts_dry_run_reports_bad_emails_and_accounts_out_of_reach(
    client: Any, alice: Any, national: Any
) -> None:
    AccountFactory.create(external_id="ERP-40", owner=alice, segment=national)
    AccountFactory.create(name="Theirs Co", external_id="ERP-41", segment=national)  # alice may not edit it
    AccountFactory.create(external_id="ERP-42", segment=national, is_confidential=True)  # invisible to alice
    client.force_login(alice)
    upload(
        client,
        "contacts",
        CONTACTS_HEADER
        + "ERP-40,Ana,,not-an-email,,,\n"  # row 2
        + "ERP-41,Bram,,,,,\n"  # row 3
        + "ERP-42,Carla,,,,,\n"  # row 4: reported exactly like an unknown id
        + "ERP-99,Dirk,,,,,\n"  # row 5
        + "ERP-40,Elif,,,,boss,9\n",  # row 6
    )
    job = latest_import()
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (2, "email", "Enter a valid email address."),
        (
            3,
            "account_external_id",
            "You may not change the contacts of Theirs Co: only its owner, team members who may edit it and "
            "admins may.",
        ),
        (4, "account_external_id", "There is no account with external_id “ERP-42”."),
        (5, "account_external_id", "There is no account with external_id “ERP-99”."),
        (6, "buying_role", "“boss” is not a buying role. Use economic_buyer, technical, user, coach."),
        (6, "influence", "“9” is not an influence: use a whole number from 1 to 5."),
    ]
    assert CustomerContact.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,segment,owner_email\nCafé Noël,national,alice@example.com\n".encode("latin-1"), "not UTF-8"),
        ("name,segment\nNo Owner Co,national\n", "The header has no “owner_email” column"),
        ("", "The submitted file is empty."),
        ("\n\n", "The file is empty."),
        (ACCOUNTS_HEADER, "The file has a header but no rows to import."),
        ("name,name,segment,owner_email\n", "The header names “name” more than once."),
    ],
    ids=["latin-1", "missing-column", "zero-bytes", "blank-lines", "header-only", "repeated-column"],
)
def test_a_file_that_cannot_be_read_is_a_form_error(
    client: Any, alice: Any, national: Any, content: str | bytes, message: str
) -> None:
    client.force_login(alice)
    response = upload(client, "accounts", content)
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert AccountImport.objects.count() == 0


THREE_ROWS = ACCOUNTS_HEADER + "".join(f"Co {i},,national,,,,alice@example.com,,,\n" for i in range(3))


def test_a_file_with_too_many_rows_is_a_form_error(client: Any, alice: Any, national: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(csv_parsing, "MAX_ROWS", 2)
    client.force_login(alice)
    response = upload(client, "accounts", THREE_ROWS)
    assert "more than 2 rows" in response.context["form"].errors["file"][0]
    assert AccountImport.objects.count() == 0


def test_a_file_too_large_is_a_form_error(client: Any, alice: Any, national: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(csv_parsing, "MAX_BYTES", 100)
    client.force_login(alice)
    response = upload(client, "accounts", THREE_ROWS)
    assert "larger than 5 MB" in response.context["form"].errors["file"][0]
    assert AccountImport.objects.count() == 0


def test_staff_may_not_import(client: Any, bob: Any, national: Any) -> None:
    client.force_login(bob)
    assert client.get(reverse("accounts:import")).status_code == 403
    response = upload(client, "accounts", ACCOUNTS_HEADER + "Sneaky Co,,national,,,,bob@example.com,,,\n")
    assert response.status_code == 403
    assert AccountImport.objects.count() == 0


def test_nobody_but_the_uploader_sees_an_import(client: Any, alice: Any, national: Any) -> None:
    client.force_login(alice)
    upload(client, "accounts", ACCOUNTS_HEADER + "Private Co,,national,,,,alice@example.com,,,\n")
    job = latest_import()
    other = UserFactory.create(role=Role.ACCOUNT_MANAGER)
    client.force_login(other)
    assert client.get(reverse("accounts:import-detail", args=[job.pk])).status_code == 404
    assert confirm(client, job).status_code == 404
    assert Account.objects.count() == 0


def test_a_large_import_runs_in_the_task_and_the_progress_fragment_reports_done(
    client: Any, alice: Any, national: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = "".join(f"Bulk Co {i:04d},BULK-{i:04d},national,,,,alice@example.com,,,\n" for i in range(501))
    client.force_login(alice)
    upload(client, "accounts", ACCOUNTS_HEADER + rows)
    job = latest_import()
    assert job.status == "ready"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        confirm(client, job)

    assert len(callbacks) == 1  # the task was enqueued after commit, not run inline
    fragment = client.get(reverse("accounts:import-detail", args=[job.pk]), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="import-status"')
    assert "Done: 501 accounts imported" in html
    assert "hx-trigger" not in html  # finished: the polling stops
    assert Account.objects.filter(external_id__startswith="BULK-").count() == 501
    assert not Account.objects.filter(rank=0).exists()


def test_a_queued_import_polls_its_progress_fragment(client: Any, alice: Any, national: Any) -> None:
    client.force_login(alice)
    rows = "".join(f"Queued Co {i:04d},,national,,,,alice@example.com,,,\n" for i in range(501))
    upload(client, "accounts", ACCOUNTS_HEADER + rows)
    job = latest_import()

    confirm(client, job)  # the on-commit callback never runs inside the test's transaction

    job.refresh_from_db()
    assert job.status == "queued"
    html = client.get(reverse("accounts:import-detail", args=[job.pk]), headers={"HX-Request": "true"}).content
    assert b'hx-trigger="every 1s"' in html
    assert b"Waiting for a worker" in html
    assert Account.objects.count() == 0


def test_run_import_is_idempotent(alice: Any, national: Any) -> None:
    text = ACCOUNTS_HEADER + "Once Co,,national,,,,alice@example.com,,,\n"
    job = imports.check_upload(
        parsed=csv_parsing.parse_csv(text=text, kind="accounts"), file_name="once.csv", user=alice
    )
    AccountImport.objects.filter(pk=job.pk).update(status="queued")

    imports.run_import(import_id=job.pk, now=timezone.now())
    imports.run_import(import_id=job.pk, now=timezone.now())

    assert Account.objects.filter(name="Once Co").count() == 1


def test_a_task_that_hits_an_unexpected_error_marks_the_import_failed(
    alice: Any, national: Any, monkeypatch: Any
) -> None:
    text = ACCOUNTS_HEADER + "Unlucky Co,,national,,,,alice@example.com,,,\n"
    job = imports.check_upload(
        parsed=csv_parsing.parse_csv(text=text, kind="accounts"), file_name="unlucky.csv", user=alice
    )
    AccountImport.objects.filter(pk=job.pk).update(status="queued")

    def crash(**kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "run_import", crash)
    tasks.run_import_task.delay(job.pk)  # eager: the error is kept on the result, not raised here

    job.refresh_from_db()
    assert job.status == "failed"
    assert "disk on fire" in job.errors[0]["message"]


def test_the_export_holds_exactly_the_filtered_accounts_the_user_may_see(
    client: Any, alice: Any, national: Any
) -> None:
    AccountFactory.create(name="Active North", external_id="E-1", segment=national, owner=alice, region="North")
    AccountFactory.create(name="Active South", segment=national, owner=alice, region="South")
    AccountFactory.create(name="Lost North", segment=national, owner=alice, region="North", status="lost")
    AccountFactory.create(name="Hidden North", segment=national, region="North", is_confidential=True)
    services.recompute_priorities(changed_by=None, now=timezone.now())
    client.force_login(alice)

    response = client.get(reverse("accounts:export") + "?region=north&status=active")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="accounts-')
    rows = exported(response)
    assert [row["name"] for row in rows] == ["Active North"]
    assert rows[0]["external_id"] == "E-1"
    assert rows[0]["segment"] == "national"
    assert rows[0]["owner_email"] == "alice@example.com"
    assert rows[0]["rank"] != "0"
    assert list(rows[0]) == list(exports.EXPORT_COLUMNS)


def test_the_export_never_shows_a_confidential_account_outside_its_team(
    client: Any, alice: Any, erin: Any, national: Any
) -> None:
    AccountFactory.create(name="Open Co", segment=national)
    AccountFactory.create(name="Secret Co", segment=national, is_confidential=True)

    client.force_login(alice)
    assert [row["name"] for row in exported(client.get(reverse("accounts:export")))] == ["Open Co"]
    assert exported(client.get(reverse("accounts:export") + "?q=Secret")) == []
    client.force_login(erin)
    assert {row["name"] for row in exported(client.get(reverse("accounts:export")))} == {"Open Co", "Secret Co"}


def test_the_export_needs_a_login(client: Any) -> None:
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [1, 100])
def test_the_export_query_count_does_not_grow(
    client: Any, alice: Any, national: Any, django_assert_num_queries: Any, count: int
) -> None:
    AccountFactory.create_batch(count, segment=national, owner=alice, needs=["Uptime"], wants=["Visits"])
    client.force_login(alice)
    with django_assert_num_queries(4):  # session, user, the audit row, accounts (+ segment and owner)
        rows = exported(client.get(reverse("accounts:export") + "?status=active"))
    assert len(rows) == count


def test_an_export_imports_again(client: Any, alice: Any, national: Any) -> None:
    AccountFactory.create(
        name="=HYPERLINK(1)", segment=national, owner=alice, industry="Energy", needs=["Uptime", "Spares"]
    )
    client.force_login(alice)
    text = b"".join(client.get(reverse("accounts:export")).streaming_content)
    assert b"'=HYPERLINK(1)" in text  # a spreadsheet will not run it as a formula

    upload(client, "accounts", text)

    job = latest_import()
    assert (job.status, job.row_count) == ("ready", 1)
    confirm(client, job)
    copy = Account.objects.exclude(pk=Account.objects.earliest("id").pk).get()
    assert (copy.name, copy.industry, copy.needs, copy.owner) == (
        "=HYPERLINK(1)",
        "Energy",
        ["Uptime", "Spares"],
        alice,
    )
