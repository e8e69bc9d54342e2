"""Running the real Airflow components on one machine (`make up` / `make down`)."""
