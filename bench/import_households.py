"""Household spreadsheet import through the admin: import-export's defaults vs the tuned resource.

    .venv/bin/python bench/import_households.py [--rows 100000] [--format xlsx|csv]

Needs PostgreSQL (PGHOST/PGUSER or the defaults 127.0.0.1/postgres). It builds a
street with enough buildings, writes one sheet of N households, then imports
that same sheet twice, each time into a fresh copy of the same database and in
a process of its own, through the admin's import view exactly as staff do
(upload → dry-run preview → confirm):

- default: a plain ModelResource with the same columns and import-export's
  default options (row-by-row lookups and saves, full diff, admin log entries);
- tuned:   grids.resources.HouseholdResource, the one the admin uses.

Both rounds run in the request (IMPORT_INLINE_MAX_ROWS raised above the sheet's
rows): the portal hands a sheet of more than 2,000 rows to a background job,
which runs the same resource's preview and confirm in a worker.

It prints rows/s for the whole upload-preview-confirm round, the peak memory
(maximum resident set size) of each process, and checks that both imports
produced the same households and a consistent grid tree.
"""

import argparse
import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUTPUT = ROOT / "bench" / "output"
BASE_DB = "portal_bench_import_base"
PG = os.environ.get("PGHOST", "127.0.0.1")
PG_USER = os.environ.get("PGUSER", "postgres")


def _url(name):
    return f"postgres://{PG_USER}@{PG}:5432/{name}"


def _psql(sql):
    subprocess.run(
        ["psql", "-h", PG, "-U", PG_USER, "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def _django(database):
    os.environ.update(
        DATABASE_URL=_url(database),
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="testserver",
        SECURE_HTTPS="0",
        PORTAL_IGNORE_DOTENV="1",
        # Both paths in the request, as import-export runs them: the portal would hand a sheet
        # this large to a background job, which runs the same preview and confirm in a worker.
        IMPORT_INLINE_MAX_ROWS="1000000",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


# --- preparing the base database and the sheet ------------------------------------------


def prepare(rows, fmt):
    _psql(f"DROP DATABASE IF EXISTS {BASE_DB}")
    _psql(f"CREATE DATABASE {BASE_DB}")
    env = {**os.environ, "DATABASE_URL": _url(BASE_DB), "DEBUG": "1", "PORTAL_IGNORE_DOTENV": "1"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # DEBUG is off in the measured runs, as in production: pages need the collected static files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    code = (
        "import sys; sys.path.insert(0, 'bench');"
        f"from import_households import build_street_and_sheet; build_street_and_sheet({rows}, '{fmt}')"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def build_street_and_sheet(rows, fmt):
    _django(BASE_DB)
    from django.contrib.auth import get_user_model

    headers, data = _street(rows)
    get_user_model().objects.create_superuser("bench", password="bench-pass-123")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"households-{rows}.{fmt}"
    path.write_bytes(_sheet_bytes(headers, data, fmt))


def _street(rows):
    """A street of 12 communities × 3 grids with enough buildings, and the rows of its household sheet."""
    from grids import services
    from grids.models import Building, Grid

    street = services.grid_create(name="测试街道", code="B01", kind=Grid.Kind.STREET)
    grids = []
    for c in range(1, 13):
        community = services.grid_create(
            name=f"社区{c}", code=f"B01-C{c:02d}", kind=Grid.Kind.COMMUNITY, parent=street
        )
        for g in range(1, 4):
            grids.append(
                services.grid_create(
                    name=f"社区{c}网格{g}", code=f"B01-C{c:02d}-G{g}", kind=Grid.Kind.GRID, parent=community
                )
            )
    per_building = 24  # 2 units × 6 floors × 2 doors
    buildings = [
        Building(grid=grids[n % len(grids)], name=f"{n // len(grids) + 1}号楼", units=2, floors=6)
        for n in range((rows + per_building - 1) // per_building)
    ]
    Building.objects.bulk_create(buildings, batch_size=2000)

    categories = ["孤寡", "空巢", "贫困", "残疾", "管控", "军烈属"] + ["一般户"] * 14
    headers = ["网格编码", "楼栋", "单元", "房号", "户主姓名", "联系电话", "身份证号", "彩虹分类", "备注"]
    data = []
    for i in range(rows):
        building = buildings[i // per_building]
        k = i % per_building
        data.append(
            [
                building.grid.code,
                building.name,
                str(k // 12 + 1),
                f"{(k % 12) // 2 + 1}{k % 2 + 1:02d}",
                f"住户{i}",
                f"139{i:08d}",
                "",
                categories[i % len(categories)],
                "",
            ]
        )
    return headers, data


def _sheet_bytes(headers, data, fmt):
    if fmt == "csv":
        import csv

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(data)
        return out.getvalue().encode("utf-8")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("住户")
    sheet.append(headers)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- one import, in a process of its own ------------------------------------------------


def _default_resource():
    """The same columns with import-export's stock widgets and default options."""
    from import_export import fields, resources, widgets

    from grids.models import Building, Household

    class BuildingInGrid(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return Building.objects.filter(grid__code=row["网格编码"])

    class CategoryLabel(widgets.Widget):
        labels = {str(c.label): c.value for c in Household.Category}

        def clean(self, value, row=None, **kwargs):
            return self.labels[value]

    class DefaultHouseholdResource(resources.ModelResource):
        building = fields.Field("building", "楼栋", widget=BuildingInGrid(Building, "name"))
        # CharWidget is what ModelResource itself picks for these CharFields.
        unit = fields.Field("unit", "单元", widget=widgets.CharWidget())
        room = fields.Field("room", "房号", widget=widgets.CharWidget())
        head_name = fields.Field("head_name", "户主姓名", widget=widgets.CharWidget())
        phone = fields.Field("phone", "联系电话", widget=widgets.CharWidget())
        id_number = fields.Field("id_number", "身份证号", widget=widgets.CharWidget())
        category = fields.Field("category", "彩虹分类", widget=CategoryLabel())
        notes = fields.Field("notes", "备注", widget=widgets.CharWidget())

        class Meta:
            model = Household
            fields = ("building", "unit", "room", "head_name", "phone", "id_number", "category", "notes")
            import_id_fields = ("building", "unit", "room")

        def __init__(self, user=None, **kwargs):
            super().__init__(**kwargs)

    return DefaultHouseholdResource


def run_one(path, which, database):
    _django(database)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the client read the preview's confirm form from the context
    measured = import_round(path, "xlsx" if path.endswith(".xlsx") else "csv", which)
    print(
        json.dumps(
            {
                "which": which,
                **measured,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "digest": _digest(),
                "tree_ok": _tree_ok(),
            }
        )
    )


def _trace(step):
    if os.environ.get("BENCH_TRACE"):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{step}: peak {peak:.1f} MB", file=sys.stderr, flush=True)


def import_round(sheet, fmt, which, username="bench"):
    """Upload → preview → confirm through the admin, with the default or the tuned resource; times it.

    `sheet` is the file's path (streamed from disk, as a browser sends it) or its bytes.
    """
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from grids.models import Household

    model_admin = admin.site._registry[Household]
    saved = model_admin.resource_classes, model_admin.skip_admin_log, model_admin.get_import_formats
    if which == "default":
        from import_export.formats import base_formats

        model_admin.resource_classes = [_default_resource()]
        model_admin.skip_admin_log = False
        model_admin.get_import_formats = lambda: [base_formats.XLSX, base_formats.CSV]
    try:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        if isinstance(sheet, bytes):
            upload = SimpleUploadedFile(f"households.{fmt}", sheet)
        else:
            upload = open(sheet, "rb")  # noqa: SIM115 (closed by the with below)
        started = time.perf_counter()
        with upload:
            preview = client.post(
                "/admin/grids/household/import/",
                {"import_file": upload, "format": "0" if fmt == "xlsx" else "1", "resource": "0"},
            )
        form = preview.context.get("confirm_form") if preview.context else None
        if form is None:
            raise SystemExit(
                f"{which}: the preview refused the sheet {preview.status_code} {_refusal(preview)}"
            )
        preview_seconds = time.perf_counter() - started
        _trace("after the preview")
        changes = preview.context.get("changes")
        previewed_new = changes.counts["new"] if changes is not None else None
        confirm = dict(form.initial)
        # A server has freed the preview's request by the time the confirm comes; the test
        # client would keep it (its context holds the dry run's result) for as long as we do.
        del preview, form, changes
        _trace("before the confirm")
        done = client.post("/admin/grids/household/process_import/", confirm)
        _trace("after the confirm")
        seconds = time.perf_counter() - started
        assert done.status_code == 302, done.status_code
    finally:
        model_admin.resource_classes, model_admin.skip_admin_log, model_admin.get_import_formats = saved
    return {
        "seconds": seconds,
        "preview_seconds": preview_seconds,
        "rows": Household.objects.count(),
        "previewed_new": previewed_new,
    }


def _refusal(preview):
    detail = ""
    result = preview.context and preview.context.get("result")
    if result is not None:
        detail = repr([(r.number, r.error_dict) for r in result.invalid_rows[:3]])
        detail += repr([(n, [str(e.error) for e in errs]) for n, errs in result.row_errors()[:3]])
        detail += repr([str(e.error) for e in result.base_errors[:3]])
    if preview.context and preview.context.get("form") is not None:
        detail += repr(preview.context["form"].errors)
    return detail


def run_tiny(rows=60, out=sys.stdout):
    """Both paths on a few rows in the current (test) database, one after the other; no timing checked.

    Returns {path: measured}; each path starts from the same empty street.
    """
    from django.contrib.auth import get_user_model

    from grids.models import Household

    headers, data = _street(rows)
    get_user_model().objects.create_superuser("bench", password="bench-pass-123")
    sheet = _sheet_bytes(headers, data, "xlsx")
    results = {}
    for which in ("default", "tuned"):
        Household.objects.all().delete()
        results[which] = {**import_round(sheet, "xlsx", which), "digest": _digest(), "tree_ok": _tree_ok()}
        out.write(
            f"{which:<10} {results[which]['rows']:>6} rows  same as default: "
            f"{results[which]['digest'] == results['default']['digest']}\n"
        )
    return results


def _digest():
    from grids.models import Household

    rows = Household.objects.order_by("building__grid__code", "building__name", "unit", "room").values_list(
        "grid__code", "building__name", "unit", "room", "head_name", "phone", "category"
    )
    digest = hashlib.sha256()
    for row in rows.iterator(chunk_size=10_000):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def _tree_ok():
    """MPTT fields as stored equal a rebuild from the parent links, and households sit on leaves."""
    from django.db.models import F

    from grids.models import Grid, Household

    before = list(Grid.objects.order_by("pk").values_list("tree_id", "lft", "rght", "level"))
    Grid.objects.rebuild()
    after = list(Grid.objects.order_by("pk").values_list("tree_id", "lft", "rght", "level"))
    wrong_grid = Household.objects.exclude(grid_id=F("building__grid_id")).count()
    return before == after and wrong_grid == 0


# --- orchestration ---------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--only", choices=["default", "tuned"], help="run one path (for profiling)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--sheet", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_one(args.sheet, args.run, args.database)
        return

    print(f"preparing a street and a {args.rows:,}-row {args.format.upper()} sheet …", flush=True)
    prepare(args.rows, args.format)
    sheet = str(OUTPUT / f"households-{args.rows}.{args.format}")
    results = []
    for which in [args.only] if args.only else ["default", "tuned"]:
        database = f"portal_bench_import_{which}"
        _psql(f"DROP DATABASE IF EXISTS {database}")
        _psql(f"CREATE DATABASE {database} TEMPLATE {BASE_DB}")
        print(f"importing with the {which} resource …", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--run", which, "--database", database, "--sheet", sheet],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            print(out.stdout[-2000:], out.stderr[-4000:])
            raise SystemExit(f"{which} import failed")
        if os.environ.get("BENCH_TRACE"):
            print("".join(line + "\n" for line in out.stderr.splitlines() if ": peak " in line), end="")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        _psql(f"DROP DATABASE IF EXISTS {database}")
    _psql(f"DROP DATABASE IF EXISTS {BASE_DB}")

    if args.only:
        print(results[0])
        return
    default, tuned = results
    table = io.StringIO()
    table.write(
        f"\nHousehold import through the admin, {args.rows:,} rows ({args.format.upper()}), PostgreSQL\n\n"
    )
    table.write(
        f"{'path':<10} {'rows':>9} {'preview s':>10} {'total s':>9} {'rows/s':>9} {'peak MB':>8}  same rows  tree ok\n"
    )
    for r in results:
        table.write(
            f"{r['which']:<10} {r['rows']:>9,} {r['preview_seconds']:>10.1f} {r['seconds']:>9.1f} "
            f"{r['rows'] / r['seconds']:>9,.0f} {r['peak_mb']:>8.0f}  {r['digest'] == default['digest']!s:>9}  {r['tree_ok']!s:>7}\n"
        )
    speedup = default["seconds"] / tuned["seconds"]
    table.write(
        f"\ntuned is {speedup:.1f}x the default path (target ≥ 10x); tuned peak {tuned['peak_mb']:.0f} MB (target < 200 MB)\n"
    )
    print(table.getvalue())


if __name__ == "__main__":
    main()
