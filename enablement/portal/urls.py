"""The portal's URLs (before the catalogue's own, assets.urls) and the buyer's share-link pages."""

from __future__ import annotations

from django.urls import include, path

from enablement.portal import catalogue, deal_list, shares, views
from enablement.sharing import views as buyer

urlpatterns = [
    path("assets/", catalogue.search, name="search"),
    path("assets/<slug:slug>/", catalogue.asset_detail, name="asset-detail"),
    path("", views.home, name="home"),
    path("assets/<slug:slug>/use/", views.log_use, name="asset-use"),
    path("assets/<slug:slug>/share/", views.share, name="asset-share"),
    path("deals/", deal_list.deals_page, name="deal-list"),
    path("deals/options/", views.deal_options, name="deal-options"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("shares/", shares.shares_page, name="share-list"),
    path("shares/links/<int:pk>/withdraw/", shares.share_link_withdraw, name="share-link-withdraw"),
    path("s/<str:token>/", buyer.buyer_view, name="buyer-view"),
    path("s/<str:token>/file/", buyer.buyer_file, name="buyer-file"),
    path("s/<str:token>/pages/", buyer.buyer_pages, name="buyer-pages"),
    path("s/<str:token>/seen", buyer.buyer_view_seen, name="buyer-view-seen"),
    path("files/<path:name>", views.stored_file, name="stored-file"),
    path("", include("enablement.rooms.urls")),
    path("", include("enablement.buyers.urls")),
    path("", include("enablement.studio.urls")),
]
