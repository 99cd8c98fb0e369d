"""The web app's account fixture, for the outside-in probes here too."""
from tests.survey_app.conftest import users  # noqa: F401  (fixture)
