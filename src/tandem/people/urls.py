from django.urls import path

from tandem.people import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("verify-email/resend/", views.verify_email_resend, name="verify_email_resend"),
    path("verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", views.account, name="account"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("account/deleted/", views.account_deleted, name="account_deleted"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/availability-row/", views.availability_row, name="availability_row"),
    path("profile/identity/", views.identity_edit, name="identity_edit"),
    path("profile/identity/withdraw/", views.identity_withdraw, name="identity_withdraw"),
    path("people/<int:user_id>/", views.profile_detail, name="profile_detail"),
    path("skills/suggest/", views.skill_suggest, name="skill_suggest"),
    path("people/suggest/manager/", views.manager_suggest, name="manager_suggest"),
]
