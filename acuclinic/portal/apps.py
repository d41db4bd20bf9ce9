from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "acuclinic.portal"
    label = "portal"
    verbose_name = "Patient portal"

    def ready(self) -> None:
        from acuclinic.notifications import kinds

        kinds.register(
            "portal_sign_in",
            "Patient portal sign-in link",
            "acuclinic.portal.services.reason_not_to_send",
            render_at_send="acuclinic.portal.services.sign_in_email_body",
        )
