from django.urls import path

from actionplans import views

app_name = "actionplans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("mine/", views.my_plans, name="mine"),
    path("new/", views.plan_create, name="new"),
    path("from-issue/<int:issue_pk>/", views.plan_from_issue, name="from-issue"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/status/", views.plan_status, name="status"),
    path("steps/<int:step_pk>/toggle/", views.step_toggle, name="step-toggle"),
    path("escalations/<int:pk>/acknowledge/", views.escalation_acknowledge, name="escalation-acknowledge"),
]
