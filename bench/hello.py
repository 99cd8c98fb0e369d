"""The ceiling: a bare Flask view returning a short string.

Served by the same gunicorn command line as the survey (`gunicorn bench.hello:app`), so the
ratio of the survey's throughput to this one says how much of the stack's capacity the
survey's own code uses, whatever machine the benchmark runs on.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
