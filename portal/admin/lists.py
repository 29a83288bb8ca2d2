"""Lists at district scale: a date range instead of date_hierarchy, capped or estimated counts, pages fetched by key."""

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class DateRangeFilter(admin.FieldListFilter):
    """从…到… on a date or date-time field: two date inputs, each optional, both days included.

    It replaces `date_hierarchy` on the large lists: the hierarchy runs a MIN/MAX
    and a DISTINCT pass over every row in scope on each request, where a range
    is one indexed condition. A date that does not parse is reported and
    ignored: the list stays as it was.
    """

    template = "admin/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.since_param = f"{field_path}__since"
        self.until_param = f"{field_path}__until"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.request = request
        self.since, self.until = self._parsed(request)

    def expected_parameters(self):
        return [self.since_param, self.until_param]

    def has_output(self):
        return True

    def _parsed(self, request):
        from django.utils.dateparse import parse_date

        found = []
        for param in (self.since_param, self.until_param):
            value = self.used_parameters.get(param)
            if isinstance(value, list):
                value = value[-1] if value else None
            day = None
            if value:
                try:
                    day = parse_date(str(value).strip())
                except ValueError:
                    day = None
                if day is None:
                    messages.error(
                        request,
                        _("日期“%(value)s”无法识别，请按 年-月-日 填写，例如 2026-11-01。")
                        % {"value": value},
                    )
            found.append(day)
        return found

    def _bound(self, day):
        """The instant a day starts (local time) for a date-time field; the day itself for a date field."""
        import datetime

        from django.db import models

        if isinstance(self.field, models.DateTimeField):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        return day

    def queryset(self, request, queryset):
        import datetime

        since, until = self.since, self.until
        if since and until and until < since:
            since, until = until, since
        if since:
            queryset = queryset.filter(**{f"{self.field_path}__gte": self._bound(since)})
        if until:
            queryset = queryset.filter(
                **{f"{self.field_path}__lt": self._bound(until + datetime.timedelta(days=1))}
            )
        return queryset

    def choices(self, changelist):
        others = [
            (key, value)
            for key, values in self.request.GET.lists()
            if key not in (self.since_param, self.until_param, "p")
            for value in values
        ]
        yield {
            "since_param": self.since_param,
            "until_param": self.until_param,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "others": others,
            "clear": changelist.get_query_string(remove=[self.since_param, self.until_param]),
            "selected": bool(self.since or self.until),
        }


class DistrictPaginator(Paginator):
    """Counts that stay cheap on tables of a district (or a hundred streets).

    An unfiltered list of a large table (a superuser's, nothing searched or
    chosen) is counted from PostgreSQL's statistics (`pg_class.reltuples`, kept
    by ANALYZE and autovacuum) instead of a COUNT over every row. A filtered
    list counts at most COUNT_CAP rows: beyond that the pages show the first
    COUNT_CAP results, and staff narrow the list with a filter or a search.
    """

    ESTIMATE_ABOVE = 20_000
    COUNT_CAP = 10_000

    def page(self, number):
        """The page's rows in two steps: their keys from the list's order, then those rows.

        The keys come from an index alone where one covers the order and the
        scope (a late page skips thousands of index entries, not thousands
        of joined rows); the joins and columns of the list are then paid for
        the page's rows only.
        """
        queryset = self.object_list
        if not hasattr(queryset, "query") or queryset.query.distinct:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        found = queryset.order_by().filter(pk__in=keys).in_bulk() if keys else {}
        return self._get_page([found[key] for key in keys if key in found], number, self)

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        estimate = self._estimate(queryset)
        if estimate is not None:
            return estimate
        return queryset.order_by()[: self.COUNT_CAP].count()

    def _estimate(self, queryset):
        from django.db import connections

        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or queryset.query.where or queryset.query.distinct:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [connection.ops.quote_name(queryset.model._meta.db_table)],
            )
            row = cursor.fetchone()
        if row is None or row[0] is None or row[0] < self.ESTIMATE_ABOVE:
            return None  # never analysed (-1), or small enough to count
        return int(row[0])


class DistrictListMixin:
    """A large list: cheap counts and pages (DistrictPaginator), no second COUNT, 50 rows a page."""

    paginator = DistrictPaginator
    show_full_result_count = False
    list_per_page = 50
