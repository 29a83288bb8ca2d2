from django.urls import path

from wishes import views

app_name = "wishes"

urlpatterns = [
    path("", views.wall, name="wall"),
    path("new/", views.wish_new, name="new"),
    path("new/done/", views.wish_submitted, name="submitted"),
    path("places/<int:pk>/", views.street_communities, name="street_communities"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/claims/<int:claim_id>/confirm/", views.track_confirm, name="track_confirm"),
    path("track/<str:code>/claims/<int:claim_id>/photo/", views.track_photo, name="track_photo"),
    path("<int:pk>/", views.wish_detail, name="detail"),
    path("<int:pk>/claim/", views.wish_claim, name="claim"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claims/<int:pk>/fulfil/", views.claim_fulfil, name="claim_fulfil"),
    path("claims/<int:pk>/photo/", views.claim_photo, name="claim_photo"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/publish/", views.review_publish, name="review_publish"),
    path("review/<int:pk>/reject/", views.review_reject, name="review_reject"),
    path("review/<int:pk>/close/", views.review_close, name="review_close"),
    path("qr/", views.qr_index, name="qr_index"),
    path("qr/<str:code>/", views.qr_sheet, name="qr_sheet"),
    path("qr/<str:code>/sheet.pdf", views.qr_sheet_pdf, name="qr_sheet_pdf"),
]
