from django.urls import path

from acuclinic.myday import views

urlpatterns = [path("", views.my_day, name="my_day")]
