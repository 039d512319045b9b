from django.urls import path

from service_center.replies import views

# Reply templates: the list, creating, editing, (de)activating.
urlpatterns = [
    path("replies/", views.template_list, name="reply_templates"),
    path("replies/new/", views.template_new, name="reply_template_new"),
    path("replies/<int:pk>/", views.template_edit, name="reply_template_edit"),
    path(
        "replies/<int:pk>/<slug:state>/",
        views.template_set_active,
        name="reply_template_state",
    ),
]
