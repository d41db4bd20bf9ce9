from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "acuclinic.core"
    label = "core"

    def ready(self) -> None:
        from acuclinic.core import id_lists, postgres_loaders

        id_lists.register()
        postgres_loaders.register()
