"""The ceiling: a bare Flask view returning a short string.

Served by the same gunicorn command line as the survey (`gunicorn bench.hello:app`), so the
ratio of the survey's throughput to this one says how much of the stack's capacity the
survey's own code uses, whatever machine the benchmark runs on. It answers POST too, so the
submissions' load generator can measure the ceiling with the same requests it sends the survey.
"""
from flask import Flask

app = Flask(__name__)


@app.route("/", methods=["GET", "POST"])
def hello() -> str:
    return "Hello, World!"
