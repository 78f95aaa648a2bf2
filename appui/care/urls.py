from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("accompagnements/<int:pk>/", views.episode_detail, name="episode_detail"),
]
