from django.urls import path

from smartgov.portal.views import auth, home

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("account/password/", auth.password_change_view, name="password_change"),
    path("workbench/", home.workbench, name="workbench"),
]
