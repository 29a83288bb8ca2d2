from django.urls import path

from wishes import views

app_name = "wishes"

urlpatterns = [
    path("", views.wall, name="wall"),
    path("new/", views.wish_new, name="new"),
    path("new/done/", views.wish_submitted, name="submitted"),
    path("places/<int:pk>/", views.street_communities, name="street_communities"),
    path("track/", views.track_lookup, name="track_lookup"),
    # Before track/CODE/: "recover" is not a tracking code.
    path("track/recover/", views.track_recover, name="track_recover"),
    path("track/recover/code/", views.track_recover_code, name="track_recover_code"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/claims/<int:claim_id>/confirm/", views.track_confirm, name="track_confirm"),
    path("track/<str:code>/claims/<int:claim_id>/not-done/", views.track_not_done, name="track_not_done"),
    path("track/<str:code>/claims/<int:claim_id>/photo/", views.track_photo, name="track_photo"),
    path("<int:pk>/", views.wish_detail, name="detail"),
    path("<int:pk>/claim/", views.wish_claim, name="claim"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claims/<int:pk>/fulfil/", views.claim_fulfil, name="claim_fulfil"),
    path("claims/<int:pk>/photo/", views.claim_photo, name="claim_photo"),
    path("claims/<int:pk>/resident-phone/", views.claim_reveal_phone, name="claim_reveal_phone"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/publish/", views.review_publish, name="review_publish"),
    path("review/<int:pk>/reject/", views.review_reject, name="review_reject"),
    path("review/<int:pk>/close/", views.review_close, name="review_close"),
    path("review/<int:pk>/settle/", views.review_settle, name="review_settle"),
    path("qr/", views.qr_index, name="qr_index"),
    path("qr/<str:code>/", views.qr_sheet, name="qr_sheet"),
    path("qr/<str:code>/sheet.pdf", views.qr_sheet_pdf, name="qr_sheet_pdf"),
]
