"""Every model of the enablement app, registered from the package that owns it.

Each package (deals, usage, sharing, importers, analytics, api) keeps its own models; importing them
here is what makes Django find them. Table names and migrations stay those of the one `enablement` app.
"""

from __future__ import annotations

from enablement.analytics.models import (
    AnalyticsRun,
    AssetStageMetric,
    Exposure,
    FigureState,
    ReadExposure,
    StageEntry,
    StageMetric,
    Team,
)
from enablement.api.tokens import ApiToken
from enablement.buyers.models import (
    BuyerProfile,
    DealRole,
    ProfileRole,
    Qualification,
    RoleMap,
)
from enablement.deals.models import Account, Deal, StageChange, StageMap

# import_upload_to and new_share_token too: migration 0001 names them as enablement.models.<name>.
from enablement.importers.models import ImportRun, import_upload_to
from enablement.rooms.models import (
    BuyerAlertSetting,
    BuyerNotification,
    CookielessOpening,
    DealRoom,
    EmailChallenge,
    PageView,
    PasscodeFailure,
    RoomItem,
    Viewer,
    Visit,
)
from enablement.sharing.models import ShareLink, ShareView, new_share_token
from enablement.usage.models import AssetStageUses, UsageEvent

__all__ = [
    "Account",
    "AnalyticsRun",
    "ApiToken",
    "AssetStageMetric",
    "AssetStageUses",
    "BuyerAlertSetting",
    "BuyerNotification",
    "BuyerProfile",
    "CookielessOpening",
    "Deal",
    "DealRole",
    "DealRoom",
    "EmailChallenge",
    "Exposure",
    "FigureState",
    "ImportRun",
    "PageView",
    "PasscodeFailure",
    "ProfileRole",
    "Qualification",
    "ReadExposure",
    "RoleMap",
    "RoomItem",
    "ShareLink",
    "ShareView",
    "StageChange",
    "StageEntry",
    "StageMap",
    "StageMetric",
    "Team",
    "UsageEvent",
    "Viewer",
    "Visit",
    "import_upload_to",
    "new_share_token",
]
