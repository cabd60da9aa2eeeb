from django.urls import path

from . import views

app_name = "comments"
urlpatterns = [
    path("comments/<int:pk>/post/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.article_comments, name="list"),
]
