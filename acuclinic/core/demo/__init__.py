"""The synthetic, deterministic demo clinic (`acuclinic demo`, `acuclinic setup`).

One module per part: ``clinic`` (organisation, locations, hours, rooms, services),
``staff`` (logins, practitioners, credentials, rota), ``patients`` (people and clinical
summaries), ``courses`` (the shape of a course of treatment) and ``appointments`` (the
diary). ``builder.build_demo`` runs them in order inside one transaction; each part draws
from its own seeded generator, so a later part can be added without changing the rows
the earlier parts make.
"""

from acuclinic.core.demo.builder import DemoSummary, build_demo
from acuclinic.core.demo.spec import DemoSpec
from acuclinic.core.demo.staff import DEMO_LOGINS, DEMO_PASSWORD

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "DemoSpec", "DemoSummary", "build_demo"]
