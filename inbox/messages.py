"""The words of every notification, per kind, in the reader's language.

A notification stores its kind and its parameters, never finished text: the
portal shows it in the language of whoever reads it, and e-mails and SMS are
written in the portal's default language (`LANGUAGE_CODE`). A kind may have
variants (the parameter `v`), for the same event told to different people.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from inbox.models import Kind


@dataclass(frozen=True)
class Words:
    title: str
    body: str
    variants: dict = field(default_factory=dict)
    # Sent at once whatever the quiet hours and digest choice (a one-time code).
    urgent: bool = False
    # Parameters wiped from the row once the message went out (or failed).
    scrub: tuple = ()


WORDS = {
    Kind.WISH_PUBLISHED: Words(
        _("心愿已发布"), _("您的微心愿（查询码 %(code)s）已通过审核，发布到心愿墙，等待认领。")
    ),
    Kind.WISH_REJECTED: Words(_("心愿未通过审核"), _("您的微心愿（查询码 %(code)s）未通过审核：%(reason)s")),
    Kind.WISH_CLAIMED: Words(
        _("心愿已被认领"),
        _("您的微心愿（查询码 %(code)s）已由%(claimant)s认领，社区网格员会帮你们联系。"),
        {
            "direct": _("您的微心愿（查询码 %(code)s）已由%(claimant)s认领，认领人会直接给您打电话。"),
            "follower": _("您关注的微心愿（查询码 %(code)s）已由%(claimant)s认领。"),
        },
    ),
    Kind.GRID_WISH_CLAIMED: Words(
        _("网格内的心愿被认领"),
        _("%(place)s的心愿“%(text)s”已由%(claimant)s认领，认领人可能会找您联系居民。"),
    ),
    Kind.CLAIM_WITHDRAWN: Words(
        _("认领已撤回"), _("您的微心愿（查询码 %(code)s）的认领已撤回，心愿会重新等待认领。")
    ),
    Kind.CLAIM_FULFILLED: Words(
        _("心愿待确认"),
        _("您的微心愿（查询码 %(code)s）已有认领方完成，请凭查询码确认并评价；如果还没实现，也请告诉我们。"),
        {"follower": _("您关注的微心愿（查询码 %(code)s）已有认领方完成。")},
    ),
    Kind.CLAIM_CONFIRMED: Words(
        _("居民已确认"),
        _("居民确认了您认领的微心愿“%(text)s”，评分 %(rating)s 星。感谢您的付出！"),
        {
            "comment": _(
                "居民确认了您认领的微心愿“%(text)s”，评分 %(rating)s 星，评价：%(comment)s。感谢您的付出！"
            )
        },
    ),
    Kind.WISH_NOT_DONE: Words(
        _("居民反馈还没实现"),
        _("居民反馈您认领的心愿“%(text)s”还没实现：%(reason)s。请联系社区网格员了解情况后再标记完成。"),
        {"staff": _("%(place)s的心愿“%(text)s”，居民反馈还没实现：%(reason)s。请跟进。")},
    ),
    Kind.WISH_CLOSED: Words(_("心愿已关闭"), _("您的微心愿（查询码 %(code)s）已关闭：%(reason)s")),
    Kind.WISH_OVERDUE: Words(
        _("心愿逾期无人认领"),
        _("%(place)s的心愿“%(text)s”已过希望完成日期 %(date)s，仍无人认领。"),
    ),
    Kind.TRACKING_CODE: Words(
        _("找回查询码"),
        _("您正在找回微心愿查询码，验证码 %(otp)s，%(minutes)s 分钟内有效。如非本人操作，请忽略。"),
        urgent=True,
        scrub=("otp",),
    ),
    Kind.CLAIM_DUE: Words(
        _("认领的心愿快到期了"),
        _("您认领的心愿“%(text)s”希望在 %(date)s 前完成；完成后请在认领页面标记完成。"),
    ),
    Kind.ACTIVITY_REMINDER: Words(
        _("明天的志愿服务活动"),
        _("明天 %(time)s 在%(place)s有志愿服务活动“%(title)s”，请准时参加，到场后扫码签到。"),
    ),
    Kind.ACTIVITY_CANCELLED: Words(_("活动已取消"), _("您报名的活动“%(title)s”（%(time)s）已取消。")),
    Kind.PROJECT_MATCHED: Words(
        _("需求匹配给了本单位"),
        _(
            "贵单位的资源“%(resource)s”匹配了%(community)s的需求“%(need)s”，已立项为“%(project)s”，请查看并开始实施。"
        ),
        {
            "offer": _(
                "贵单位认领的%(community)s需求“%(need)s”已确认，立项为“%(project)s”，请查看并开始实施。"
            )
        },
    ),
    Kind.NEED_OFFERED: Words(
        _("单位认领了需求"),
        _("%(unit)s认领了%(community)s的需求“%(need)s”，请确认立项或说明不采纳的原因。"),
    ),
    Kind.NEED_OFFER_DECLINED: Words(
        _("认领的需求未被采纳"),
        _("贵单位对%(community)s需求“%(need)s”的认领未被采纳：%(reason)s"),
    ),
    Kind.MEETING_SCHEDULED: Words(
        _("联席会议通知"), _("%(alliance)s将于 %(time)s 在%(place)s召开“%(title)s”，请安排人员参加。")
    ),
    Kind.CASE_WAITING: Words(
        _("网格事件待处理"),
        _("%(place)s的事件“%(text)s”（%(category)s）等待%(level)s受理，请在 %(due)s 前处理。"),
        {
            "supervised": _("街道督办%(place)s的事件“%(text)s”：%(note)s"),
            "escalated": _("%(place)s的事件“%(text)s”超时未处理，已升级到%(level)s，请在 %(due)s 前受理。"),
            "reopened": _("居民反馈%(place)s的事件“%(text)s”没有解决：%(note)s。请在 %(due)s 前重新受理。"),
            "redo": _("%(place)s的事件“%(text)s”核实未通过：%(note)s。请在 %(due)s 前重新办理。"),
            "sent_back": _("%(place)s的事件“%(text)s”退回%(level)s办理：%(note)s。请在 %(due)s 前受理。"),
            "passed_up": _(
                "%(place)s的事件“%(text)s”（%(category)s）上报到%(level)s：%(note)s。请在 %(due)s 前受理。"
            ),
        },
    ),
    Kind.CASE_DISPATCHED: Words(
        _("网格事件派遣到本单位"),
        _("街道将%(place)s的事件“%(text)s”（%(category)s）派遣给%(responder)s，请在 %(due)s 前签收。"),
    ),
    Kind.DISPATCH_RETURNED: Words(
        _("派遣的事件被退回"), _("%(responder)s退回了%(place)s的事件“%(text)s”：%(reason)s")
    ),
    Kind.CASE_DONE: Words(_("网格事件待核实"), _("%(place)s的事件“%(text)s”已办理完成，请核实结果。")),
    Kind.CASE_VERIFIED: Words(
        _("反映的问题已办结"),
        _(
            "您反映的问题（查询码 %(code)s）已办结并经社区核实，请凭查询码查看结果并评价；如果没有解决，也请告诉我们。"
        ),
    ),
    Kind.CASE_DECLINED: Words(
        _("反映的问题不予受理"), _("您反映的问题（查询码 %(code)s）不予受理：%(reason)s")
    ),
    Kind.CASE_OVERDUE: Words(
        _("网格事件超时"),
        _("%(place)s的事件“%(text)s”已超过时限（%(what)s），请尽快处理。"),
    ),
    Kind.CASE_NEAR_LIMIT: Words(
        _("网格事件快到办结时限"), _("%(place)s的事件“%(text)s”需在 %(due)s 前办结，请抓紧处理。")
    ),
}


class _Params(dict):
    """Missing parameters show as empty, so an old row never breaks a page."""

    def __missing__(self, key):
        return ""


def _text(template, notification):
    try:
        return str(template) % _Params(notification.params or {})
    except (TypeError, ValueError):
        return str(template)


def words_for(kind):
    return WORDS[kind]


def render_title(notification):
    return str(WORDS[notification.kind].title)


def render_body(notification):
    words = WORDS[notification.kind]
    variant = (notification.params or {}).get("v")
    return _text(words.variants.get(variant, words.body), notification)


def outgoing(notification):
    """(subject, text) in the portal's default language, for e-mail and SMS."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_title(notification), render_body(notification)
