"""The monthly report's long work as background jobs (portal.jobs): building a month, laying out its PDF.

Both are idempotent, keyed by the job: a PDF job delivered twice writes the
same file; a build job finds the report it already built (built by the job's
owner after the job was started) and does not build it a third time.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from alliances.models import Alliance
from portal.jobs import JobFile, JobPage, JobRefused, job_kind, job_start
from portal.months import parse_month
from reports.models import MonthlyReport
from reports.present import report_filename, report_pdf_bytes

PDF = "reports.pdf"
BUILD = "reports.build"


def report_pdf_start(*, report, user):
    """The PDF of this revision of the report, for `user`: their job for it, started if there is none."""
    language = translation.get_language()
    return job_start(
        kind=PDF,
        owner=user,
        title=_("%(alliance)s %(month)s 月度报告 PDF")
        % {"alliance": report.alliance.name, "month": f"{report.month:%Y-%m}"},
        params={"report": report.pk, "revision": report.revision, "language": language},
        scope=report.alliance.grid,
        key=f"{report.pk}:{report.revision}:{language}",
        back=reverse("reports:detail", args=[report.alliance_id, f"{report.month:%Y-%m}"]),
    )


def report_build_start(*, alliance, month, user):
    return job_start(
        kind=BUILD,
        owner=user,
        title=_("生成 %(alliance)s %(month)s 月度报告")
        % {"alliance": alliance.name, "month": f"{month:%Y-%m}"},
        params={"alliance": alliance.pk, "month": f"{month:%Y-%m}"},
        scope=alliance.grid,
        view_perm="reports.add_monthlyreport",
        back=reverse("reports:detail", args=[alliance.pk, f"{month:%Y-%m}"]),
    )


@job_kind(PDF)
def make_pdf(job, progress):
    progress(10, _("读取报告快照"))
    report = MonthlyReport.objects.select_related("alliance").filter(pk=job.params.get("report")).first()
    if report is None:
        raise JobRefused(_("这份报告已不存在。"))
    with translation.override(job.params.get("language") or None):
        progress(30, _("正在排版 PDF，第一次需要几秒钟"))
        data = report_pdf_bytes(report)
        progress(95, _("保存文件"))
        return JobFile(report_filename(report, "pdf"), data)


@job_kind(BUILD)
def build_report(job, progress):
    from reports import services

    progress(10, _("读取本月的记录"))
    alliance = Alliance.objects.filter(pk=job.params.get("alliance")).first()
    try:
        month = parse_month(job.params.get("month", ""))
    except ValueError as error:
        raise JobRefused(str(error)) from None
    if alliance is None:
        raise JobRefused(_("这个联盟已不存在。"))
    url = reverse("reports:detail", args=[alliance.pk, f"{month:%Y-%m}"])
    # A run delivered again after this job built the report finds it and stops there.
    done = MonthlyReport.objects.filter(
        alliance=alliance, month=month, built_by=job.owner, built_at__gte=job.created_at
    ).exists()
    if not done:
        progress(40, _("正在汇总各单位的项目、需求、会议和积分"))
        from django.core.exceptions import PermissionDenied, ValidationError

        try:
            services.report_build(
                alliance=alliance, month=month, via=MonthlyReport.BuiltVia.PAGE, actor=job.owner
            )
        except (ValidationError, PermissionDenied) as error:
            raise JobRefused(" ".join(getattr(error, "messages", [str(error)]))) from None
    return JobPage(url)
