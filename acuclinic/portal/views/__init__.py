"""The portal's pages: signing in and out (``sign_in``), the patient's visits, questionnaire
and aftercare (``visits``) and their progress: chart, pain diary, questionnaires
(``progress``)."""
