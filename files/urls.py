from django.urls import path

from files import library, views

app_name = "files"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("library/", library.library, name="library"),
    path("library/upload/", library.library_upload, name="library_upload"),
    path("library/<int:pk>/delete/", library.library_delete, name="library_delete"),
]
