from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.models import Vote
from portal.forms import DateInput, PlainTextAreaField, PlainTextField
from wishes.forms import MobileField, PlainForm


class RaiseTopicForm(PlainForm):
    """A resident's matter for the community to talk through, from the grid's QR code."""

    title = PlainTextField(
        label=_("想商量的事"),
        min_length=4,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("例如：3号楼加装电梯")}),
        error_messages={
            "required": _("请用一句话写下想商量的事。"),
            "min_length": _("至少写 4 个字。"),
            "max_length": _("最多 60 个字，具体情况写在下面。"),
        },
    )
    description = PlainTextAreaField(
        label=_("具体情况"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "placeholder": _("例如：楼里老人多，上下楼困难，想问问邻居们是否愿意一起出资加装电梯。"),
            }
        ),
        error_messages={
            "required": _("请写下具体情况。"),
            "min_length": _("具体情况至少 10 个字（现在 %(show_value)d 个字）。"),
            "max_length": _("具体情况最多 1000 个字（现在 %(show_value)d 个字）。"),
        },
    )
    phone = MobileField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
        help_text=_("社区联系您用，不会公开。"),
        error_messages={"required": _("请填写手机号，社区会联系您。")},
    )
    name = PlainTextField(
        label=_("怎么称呼您（选填）"),
        required=False,
        max_length=20,
        error_messages={"max_length": _("称呼最多 20 个字。")},
    )
    website = forms.CharField(
        required=False,
        label=_("网址"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("提交没有成功，请刷新页面后重新填写。"))
        return ""


class VetForm(PlainForm):
    decision = forms.ChoiceField(
        label=_("是否受理"),
        choices=[("accept", _("受理")), ("decline", _("不受理"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择受理或不受理。")},
    )
    reason = PlainTextField(
        label=_("审核意见"),
        max_length=200,
        help_text=_("会在公示中显示（受理时），请不要写居民的个人信息。"),
        error_messages={"required": _("请写审核意见。")},
    )


class VoteWithCodeForm(PlainForm):
    code = forms.CharField(
        label=_("投票码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        error_messages={"required": _("请输入社区发给您家的投票码。")},
    )
    choice = forms.ChoiceField(
        label=_("您家的意见"),
        choices=Vote.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择同意、反对或弃权。")},
    )


class ProgressForm(PlainForm):
    progress = PlainTextField(
        label=_("最新进展"),
        max_length=300,
        error_messages={"required": _("请写一句进展。")},
        widget=forms.TextInput(attrs={"placeholder": _("例如：已联系电梯公司上门测量")}),
    )
    done = forms.BooleanField(label=_("已经落实"), required=False)


class OpenCaseForm(PlainForm):
    category = forms.ModelChoiceField(
        label=_("事件类别"), queryset=None, error_messages={"required": _("请选择事件类别。")}
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class SessionVoteForm(PlainForm):
    """Staff record one household's ballot at the session, by its address (3-2-301)."""

    address = PlainTextField(
        label=_("住户（楼-单元-房号）"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "3-2-301"}),
        error_messages={"required": _("请填写住户，例如 3-2-301。")},
    )
    choice = forms.ChoiceField(
        label=_("意见"),
        choices=Vote.Choice.choices,
        error_messages={"required": _("请选择同意、反对或弃权。")},
    )


__all__ = ["DateInput"]
