-- Runs once, when the postgres volume is first initialised (docker-entrypoint-initdb.d).
-- The product's own tables live beside Airflow's metadata, in their own database.
CREATE DATABASE council_social OWNER airflow;
