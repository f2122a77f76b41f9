"""Login, logout, password change and reset: Django's views with this site's templates.

Password reset mail goes out through ``EMAIL_BACKEND`` (files in the data directory
unless configured otherwise, see the settings).
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("project-list")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/password_reset.html"
    email_template_name = "web/mail/password_reset.txt"
    subject_template_name = "web/mail/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The mailed link; a new password leads to the login page (as in Patchwork)."""

    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("auth_login")

    def form_valid(self, form):
        messages.success(self.request, "Your password was changed; log in with it.")
        return super().form_valid(form)
