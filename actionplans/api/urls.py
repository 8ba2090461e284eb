from django.urls import path

from actionplans.api import views

urlpatterns = [
    path("action-plans", views.ActionPlanListApi.as_view(), name="action-plans"),
    path("action-plans/<int:pk>", views.ActionPlanDetailApi.as_view(), name="action-plan"),
    path("action-plans/<int:pk>/status", views.ActionPlanStatusApi.as_view(), name="action-plan-status"),
    path("escalations", views.EscalationListApi.as_view(), name="escalations"),
    path("escalations/<int:pk>/acknowledge", views.EscalationAcknowledgeApi.as_view(), name="escalation-acknowledge"),
]
