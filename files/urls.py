from django.urls import path

from files import views

app_name = "files"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("library/", views.library, name="library"),
    path("library/upload/", views.library_upload, name="library_upload"),
    path("library/<int:pk>/delete/", views.library_delete, name="library_delete"),
]
