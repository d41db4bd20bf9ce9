from django.urls import path

from acuclinic.audit import views

urlpatterns = [path("", views.audit_list, name="audit_list")]
