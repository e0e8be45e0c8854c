"""The roof: launchers that start and wire every part (`make up`, the gateway and serving
processes, the in-process Airflow run, the consumers). Nothing below imports from here."""
