"""The kernel's admin: the site's titles, the shared mixins every app's admin uses, and accounts.

One module per purpose: `mixins` (read only, scoped, personal data), `lists` (district-scale lists),
`filters` (scope-following filters), `imports` (spreadsheet screens), `users` (accounts, the access log).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin.filters import (
    CommunityListFilter,
    GridListFilter,
)
from portal.admin.imports import (
    ChineseExportForm,
    ImportExportScopedMixin,
    LimitedImportForm,
)
from portal.admin.lists import (
    DateRangeFilter,
    DistrictListMixin,
    DistrictPaginator,
)
from portal.admin.mixins import (
    PersonalDataAdminMixin,
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    page_link,
)
from portal.admin.users import (
    PersonalDataLogAdmin,
    StaffProfileInline,
    UserAdmin,
)

admin.site.site_header = _("街道党建引领基层治理平台")
admin.site.site_title = _("基层治理平台")
admin.site.index_title = _("管理")

__all__ = [
    "ChineseExportForm",
    "CommunityListFilter",
    "DateRangeFilter",
    "DistrictListMixin",
    "DistrictPaginator",
    "GridListFilter",
    "ImportExportScopedMixin",
    "LimitedImportForm",
    "PersonalDataAdminMixin",
    "PersonalDataLogAdmin",
    "ReadOnlyAdminMixin",
    "ScopedAdminMixin",
    "ScopedInlineMixin",
    "StaffProfileInline",
    "UserAdmin",
    "page_link",
]
