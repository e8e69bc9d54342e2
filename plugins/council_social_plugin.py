"""Council Social Ops in the Airflow UI: the operator views, behind Airflow's own login.

Mounts the views' FastAPI app on the API server at /council-social and adds
one navigation entry per view (shown inside the Airflow UI). Every route
requires the signed-in Airflow user (the JWT cookie the UI sets, or a Bearer
token for the JSON API); corrections and replies are recorded under that
user's name. The logic lives in `council_social.views`.
"""

# Both are the interfaces Airflow's plugin documentation gives for this: AirflowPlugin, and
# GetUserDep to require the signed-in user (Airflow does not authenticate plugin apps).
from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.plugins_manager import AirflowPlugin

from council_social.views.app import VIEWS, create_app

URL_PREFIX = "/council-social"


def signed_in_officer(user: GetUserDep) -> str:
    """The Airflow user making the request; 401 without a valid session or token."""
    return user.get_name()


def sign_in_page(next_path: str) -> str:
    """The auth manager's sign-in page, returning to the view afterwards."""
    # get_url_login is the auth manager interface's own (BaseAuthManager); get_auth_manager is
    # how the API server, and every auth manager provider, reaches the configured one.
    from airflow.api_fastapi.app import get_auth_manager

    return get_auth_manager().get_url_login(next_url=next_path)


def _engine():
    from council_social.airflow import engine

    return engine()


def _config():
    from council_social.airflow import config

    return config()


class ViewsApp:
    """The views' ASGI app, built on its first request.

    Airflow loads every plugin in the API server and in each task process (for macros);
    building the app there would read and validate council.yaml in every task run.
    """

    def __init__(self):
        self.app = None

    async def __call__(self, scope, receive, send):
        if self.app is None:
            self.app = create_app(_engine, config=_config(), officer=signed_in_officer,
                                  sign_in=sign_in_page)
        await self.app(scope, receive, send)


app = ViewsApp()


class CouncilSocialPlugin(AirflowPlugin):
    name = "council_social"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "Council Social Ops"}]
    # Home (what needs doing now) is the first page, then one entry per view.
    external_views = [
        {
            "name": label,
            # Relative to the Airflow base URL; url_route shows it inside the UI (iframe).
            "href": f"{URL_PREFIX.lstrip('/')}/{'' if key == 'home' else key}",
            "url_route": f"council-social-{key}",
            "destination": "nav",
            "category": "Council Social Ops",
        }
        for key, label in (("home", "Home"), *VIEWS)
    ]
