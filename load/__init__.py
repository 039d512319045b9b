"""The load test: citizens and staff against gunicorn, with Redis stopped or the worker killed.

`python -m load` (what `make load` runs) is the orchestrator in run.py; locustfile.py holds the
users; swarm.py runs them in a process of its own (gevent patches everything it imports).
"""
