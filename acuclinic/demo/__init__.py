"""The synthetic, deterministic demo clinic (`acuclinic demo`, `acuclinic setup`).

A Django app only for its commands; what it offers is imported from its modules
(``builder.build_demo``, ``spec.DemoSpec``, ``staff.DEMO_LOGINS``), so that loading the
app imports no models.

One module per part: ``clinic`` (organisation, locations, hours, rooms, services),
``staff`` (logins, practitioners, credentials, rota), ``patients`` (people and clinical
summaries), ``courses`` (the shape of a course of treatment) and ``appointments`` (the
diary). ``builder.build_demo`` runs them in order inside one transaction; each part draws
from its own seeded generator, so a later part can be added without changing the rows
the earlier parts make.
"""
