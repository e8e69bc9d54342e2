"""The few Airflow REST calls `make up` needs, signed in as the deployment's admin."""

from __future__ import annotations

import json

import requests


class AirflowApi:
    def __init__(self, base_url: str, username: str, password: str, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        token = self.session.post(f"{self.base_url}/auth/token", timeout=timeout,
                                  json={"username": username, "password": password})
        token.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def _call(self, method: str, path: str, **kwargs) -> dict:
        response = self.session.request(method, f"{self.base_url}/api/v2{path}",
                                        timeout=self.timeout, **kwargs)
        response.raise_for_status()
        return response.json()

    def dags(self) -> dict[str, bool]:
        """dag_id -> is_paused for every DAG the DAG processor has loaded."""
        body = self._call("GET", "/dags", params={"limit": 1000})
        return {d["dag_id"]: d["is_paused"] for d in body["dags"]}

    def unpause(self, dag_id: str) -> None:
        self._call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def reparse(self, dag_id: str) -> None:
        """Ask the DAG processor to parse the DAG's file now (what the UI's Reparse button does)."""
        token = self._call("GET", f"/dags/{dag_id}/details")["file_token"]
        response = self.session.put(f"{self.base_url}/api/v2/parseDagFile/{token}",
                                    timeout=self.timeout)
        response.raise_for_status()

    def variable(self, key: str) -> str | None:
        response = self.session.get(f"{self.base_url}/api/v2/variables/{key}",
                                    timeout=self.timeout)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()["value"]

    def set_variable(self, key: str, value: str) -> None:
        if self.variable(key) is None:
            self._call("POST", "/variables", json={"key": key, "value": value})
        else:
            self._call("PATCH", f"/variables/{key}", json={"key": key, "value": value})

    def trigger(self, dag_id: str) -> dict:
        """What the UI's Trigger button sends: no logical date."""
        return self._call("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None})

    def runs(self, dag_id: str) -> list[dict]:
        return self._call("GET", f"/dags/{dag_id}/dagRuns",
                          params={"order_by": "run_after"})["dag_runs"]

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value"):
        """A task instance's XCom value (JSON), or None when it has none."""
        response = self.session.get(
            f"{self.base_url}/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}"
            f"/xcomEntries/{key}", timeout=self.timeout)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        value = response.json()["value"]
        return json.loads(value) if isinstance(value, str) else value

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")[
            "task_instances"]
